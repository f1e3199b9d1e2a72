// Runs the Khronos glTF validator (npm package "gltf-validator") on .glb files.
// Usage: NODE_PATH=<dir holding node_modules/gltf-validator> node khronos_validate.cjs a.glb b.glb
// Prints one JSON line per file with the issue counts; exits 1 if any file has errors.
const fs = require("fs");
const validator = require("gltf-validator");

async function main(paths) {
  let failed = false;
  for (const path of paths) {
    const report = await validator.validateBytes(new Uint8Array(fs.readFileSync(path)), {
      maxIssues: 100,
      externalResourceFunction: () => Promise.reject(new Error("external resources are not allowed")),
    });
    const issues = report.issues;
    const messages = issues.messages.filter((m) => m.severity <= 1).map((m) => `${m.code} ${m.pointer || ""} ${m.message}`);
    console.log(JSON.stringify({ path, errors: issues.numErrors, warnings: issues.numWarnings, infos: issues.numInfos, messages }));
    if (issues.numErrors > 0) failed = true;
  }
  process.exit(failed ? 1 : 0);
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err);
  process.exit(2);
});
