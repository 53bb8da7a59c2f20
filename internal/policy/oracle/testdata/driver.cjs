// rolecall's driver for the differential test (oracle_test.go): reads a
// JSON array of cases on stdin, asks @cloud-copilot/iam-simulate (installed
// under $ROLECALL_ORACLE_DIR, never vendored: it is AGPL and used only as an
// external oracle at test time) for each decision, and prints a JSON array
// of "Allowed", "ExplicitlyDenied", "ImplicitlyDenied" or "error: ...".
'use strict';
const path = require('path');

const dir = process.env.ROLECALL_ORACLE_DIR;
if (!dir) {
  process.stderr.write('driver.cjs: ROLECALL_ORACLE_DIR is not set\n');
  process.exit(2);
}
// Resolve the package as a module inside dir would, through its exports.
const sim = require('module').createRequire(path.join(dir, 'noop.js'))('@cloud-copilot/iam-simulate');

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', async () => {
  const cases = JSON.parse(input);
  const out = [];
  for (const c of cases) {
    try {
      const simulation = {
        request: {
          principal: c.principal,
          action: c.action,
          resource: { resource: c.resource, accountId: c.resourceAccount },
          contextVariables: c.context || {}
        },
        identityPolicies: (c.identity || []).map((p, i) => ({ name: 'identity' + i, policy: p })),
        serviceControlPolicies: (c.scps || []).map((level, i) => ({
          orgIdentifier: 'level' + i,
          policies: level.map((p, j) => ({ name: 'scp' + i + '-' + j, policy: p }))
        })),
        resourceControlPolicies: [],
        resourcePolicy: c.resourcePolicy || undefined,
        sessionPolicy: c.session || undefined,
        permissionBoundaryPolicies: c.boundary ? [{ name: 'boundary', policy: c.boundary }] : undefined
      };
      // runSimulation validates its input first (runUnsafeSimulation
      // crashes on a resource policy in iam-simulate 0.1.173).
      const r = await sim.runSimulation(simulation, { simulationMode: 'Strict' });
      if (r.resultType === 'error') {
        out.push('error: ' + JSON.stringify(r.errors));
      } else {
        out.push(String(r.overallResult));
      }
    } catch (e) {
      out.push('error: ' + (e && e.message ? e.message : String(e)));
    }
  }
  process.stdout.write(JSON.stringify(out));
});
