/** `npm run generate`: writes what the option schemas decide into package.json and media/lens.schema.json. */
import * as fs from 'fs';
import * as path from 'path';
import { GENERATED } from './lib/generatedSchemas';

const ROOT = path.join(__dirname, '../..');

for (const { file, generate } of GENERATED) {
  const at = path.join(ROOT, file);
  const before = fs.readFileSync(at, 'utf8');
  const after = generate(before);
  if (after !== before) fs.writeFileSync(at, after);
  console.log(`${file}: ${after === before ? 'up to date' : 'updated'}`);
}
