// A deterministic job log of about `bytes` bytes as gitlab-runner writes it: a section every 500
// lines (every third collapsed), coloured command lines, 256-colour and truecolor output, progress
// lines with carriage returns, plain compiler-like output in between.
const E = '\x1b';

export function generateLog(bytes: number): { text: string; lines: number; sections: number } {
  const parts: string[] = [];
  let size = 0;
  let lines = 0;
  let sections = 0;
  let ts = 1_700_000_000;
  const push = (line: string) => { parts.push(line); size += line.length + 1; lines++; };
  push(`${E}[0KRunning with gitlab-runner 17.0.0 (bench)${E}[0;m`);
  while (size < bytes) {
    const name = `step_${sections}`;
    push(`section_start:${ts}:${name}${sections % 3 === 0 ? '[collapsed=true]' : ''}\r${E}[0K${E}[36;1mStep ${sections}: building module ${sections}${E}[0;m`);
    sections++;
    for (let i = 0; i < 500 && size < bytes; i++) {
      const n = lines;
      if (i % 50 === 0) push(`${E}[32;1m$ make -C module${sections} target${i}${E}[0;m`);
      else if (i % 17 === 0) push(`${E}[38;5;208mwarning:${E}[0m unused variable 'x${n}' in src/module${sections}/file${i}.c:${n % 997} ${E}[38;2;120;200;255m[-Wunused]${E}[0m`);
      else if (i % 29 === 0) push(`Downloading layer ${n.toString(16)}  10%\rDownloading layer ${n.toString(16)}  60%\rDownloading layer ${n.toString(16)} 100%`);
      else push(`  CC      src/module${sections}/file${i}.o   -O2 -Wall -Wextra -fPIC -DLINE=${n} -Iinclude -Ithird_party/include`);
    }
    ts += 7;
    push(`section_end:${ts}:${name}\r${E}[0K`);
  }
  push(`${E}[32;1mJob succeeded${E}[0;m`);
  return { text: `${parts.join('\n')}\n`, lines, sections };
}
