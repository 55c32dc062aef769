import { zipSync, unzipSync } from 'fflate';
const big = new Uint8Array(50_000_000);
const z = zipSync({ 'a/data.pkl': big }, { level: 9 });
console.log('zip bytes', z.length);
// patch central dir uncompressed size (offset 24 in central record)
const dv = new DataView(z.buffer);
let cd = -1;
for (let i = z.length - 22; i >= 0; i--)
  if (dv.getUint32(i, true) === 0x02014b50) {
    cd = i;
    break;
  }
console.log('declared', dv.getUint32(cd + 24, true));
dv.setUint32(cd + 24, 100, true);
const t = performance.now();
const out = unzipSync(z);
console.log('out len', out['a/data.pkl']!.length, 'ms', performance.now() - t);
