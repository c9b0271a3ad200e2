#!/usr/bin/env node
// One ECR call through the current AWS SDK for JavaScript v3, for the e2e tests of the APIs that
// Debian's aws CLI and boto3 predate (tests/e2e/test_ecr_js.py).
//
//   WHARF_ENDPOINT=http://127.0.0.1:PORT AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
//     node ecr.mjs <Operation> '<json input>'
//
// Prints the output as JSON on stdout (dates as ISO strings, the SDK's $metadata dropped) and
// exits 0. An error prints {"error": name, "message": ..., "status": httpStatusCode} (status
// null when no response came back, e.g. the SDK rejected the input itself) and exits 3.
// Usage errors exit 2. No retries: one request per call.
import * as ecr from "@aws-sdk/client-ecr";

function usage(msg) {
    process.stderr.write(`${msg}\nusage: node ecr.mjs <Operation> '<json input>'\n`);
    process.exit(2);
}

const [operation, inputText = "{}"] = process.argv.slice(2);
if (!operation) usage("no operation given");
const Command = ecr[`${operation}Command`];
if (typeof Command !== "function") usage(`unknown ECR operation ${operation}`);
let input;
try {
    input = JSON.parse(inputText);
} catch (e) {
    usage(`input is not JSON: ${e.message}`);
}
const endpoint = process.env.WHARF_ENDPOINT;
if (!endpoint) usage("WHARF_ENDPOINT is not set");
const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = process.env;
if (!accessKeyId || !secretAccessKey) usage("AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY not set");

// Node 20 is what Debian-era machines have; the SDK's notice that 2027 releases need 22 is noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const client = new ecr.ECRClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId, secretAccessKey },
    maxAttempts: 1,
});

// Dates as ISO strings (JSON.stringify calls Date.prototype.toJSON); Uint8Array as base64.
const replacer = (_key, value) =>
    value instanceof Uint8Array ? Buffer.from(value).toString("base64") : value;

try {
    const { $metadata, ...output } = await client.send(new Command(input));
    process.stdout.write(JSON.stringify(output, replacer) + "\n");
    process.exitCode = 0;
} catch (e) {
    const doc = {
        error: e?.name ?? String(e),
        message: e?.message ?? String(e),
        status: e?.$metadata?.httpStatusCode ?? null,
    };
    process.stdout.write(JSON.stringify(doc) + "\n");
    process.exitCode = 3;
} finally {
    client.destroy();
}
