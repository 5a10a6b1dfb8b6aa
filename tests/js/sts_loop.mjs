// A long-lived AWS SDK for JavaScript v3 client, as a job under
// `leasekeeper exec` or beside `leasekeeper serve` runs one: one STS client
// on the default credential chain (here: the container-credentials
// endpoint), calling GetCallerIdentity every INTERVAL_MS milliseconds for
// SECS seconds. Prints `calls=N` at the end; at the first failed call it
// says why and exits 1.
//
// Usage: node sts_loop.mjs SECS INTERVAL_MS

import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";

const [secs, interval] = process.argv.slice(2).map(Number);
if (!Number.isFinite(secs) || !Number.isFinite(interval)) {
  console.error("usage: node sts_loop.mjs SECS INTERVAL_MS");
  process.exit(2);
}
const sts = new STSClient({});
const start = Date.now();
let calls = 0;
while (Date.now() - start < secs * 1000) {
  try {
    await sts.send(new GetCallerIdentityCommand({}));
  } catch (e) {
    console.error(`js-sdk: call ${calls + 1} failed after ${(Date.now() - start) / 1000} s: ${e.name}: ${e.message}`);
    process.exit(1);
  }
  calls += 1;
  await new Promise((r) => setTimeout(r, interval));
}
console.log(`calls=${calls}`);
