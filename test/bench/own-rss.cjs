// Preloaded (node --require) into our command by rows whose work runs a compressor child (xz, bzip2): at exit
// it writes this node process's own peak RSS (KiB) to the file APPC_BENCH_OWN_RSS names. /usr/bin/time reports
// the largest process of the tree, which for `build xz` is the xz child whatever our process takes.
'use strict';
const file = process.env.APPC_BENCH_OWN_RSS;
if (file) {
  delete process.env.APPC_BENCH_OWN_RSS;
  process.on('exit', () => {
    require('node:fs').writeFileSync(file, String(process.resourceUsage().maxRSS));
  });
}
