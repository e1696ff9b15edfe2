/**
 * Rewrites the generated tables of docs/registration.md from the code (`npx tsx server/doctor/writeRegistrationTables.ts`),
 * then formats the file with prettier, as the test that checks them expects.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { withGeneratedTables } from './registrationTables';

const file = 'docs/registration.md';
const options = (await resolveConfig(file)) ?? {};
writeFileSync(file, await format(withGeneratedTables(readFileSync(file, 'utf8')), { ...options, filepath: file }));
process.stdout.write(`${file}: generated tables rewritten\n`);
