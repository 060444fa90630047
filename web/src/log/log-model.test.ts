import { describe, expect, it } from 'vitest';
import { applySgr, BOLD, cssColor, ITALIC, resetState, TRUECOLOR, UNDERLINE } from './ansi.js';
import { LogModel } from './log-model.js';
import { lineText, renderLine } from './render-line.js';

const E = '\x1b';

describe('applySgr', () => {
  it('reads 16, 256 and truecolor colours, attributes and reset', () => {
    const st = resetState();
    applySgr('1;3;4;31', st);
    expect(st).toEqual({ fg: 1, bg: -1, flags: BOLD | ITALIC | UNDERLINE });
    applySgr('38;5;208;48;2;10;20;30', st);
    expect(st.fg).toBe(208);
    expect(st.bg).toBe(TRUECOLOR | 0x0a141e);
    applySgr('38:2::255:0:0', st);
    expect(cssColor(st.fg)).toBe('#ff0000');
    applySgr('', st);
    expect(st).toEqual(resetState());
    applySgr('92;22', st);
    expect(st).toEqual({ fg: 10, bg: -1, flags: 0 });
  });
});

describe('LogModel', () => {
  const log = [
    `${E}[0KRunning with drydock`,
    `section_start:100:prepare_script[collapsed=true]\r${E}[0K${E}[36;1mPreparing${E}[0;m`,
    `${E}[32mgreen starts here`,
    'still green',
    `${E}[0msection_end:105:prepare_script\r${E}[0Ksection_start:105:step_script\r${E}[0KExecuting step`,
    '$ make',
    `section_end:107:step_script\r${E}[0K`,
    'progress 10%\rprogress 100%',
    '',
  ].join('\n');

  it('indexes lines, carries colour across lines and strips markers and carriage returns', () => {
    const m = new LogModel();
    m.append(log);
    expect(m.lineCount).toBe(8);
    expect(lineText(m, 1)).toBe('Preparing');
    expect(renderLine(m, 1)[0]).toMatchObject({ fg: 6, flags: BOLD });
    expect(renderLine(m, 3)).toEqual([{ text: 'still green', fg: 2, bg: -1, flags: 0 }]);
    expect(lineText(m, 4)).toBe('Executing step');
    expect(lineText(m, 7)).toBe('progress 100%');
  });

  it('finds sections with durations, collapsed flags and body ranges', () => {
    const m = new LogModel();
    m.append(log);
    expect(m.sections.map((s) => [s.name, s.header, s.last, (s.endTs ?? 0) - s.startTs, s.collapsed])).toEqual([
      ['prepare_script', 1, 3, 5, true],
      ['step_script', 4, 5, 2, false],
    ]);
    expect([...m.visibleLines()]).toEqual([0, 1, 4, 5, 6, 7]);
    expect(m.reveal(2)).toBe(true);
    expect([...m.visibleLines()]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('gives the same index when the log arrives in arbitrary chunks', () => {
    const whole = new LogModel();
    whole.append(log);
    for (const size of [1, 3, 7, 20]) {
      const m = new LogModel();
      for (let i = 0; i < log.length; i += size) m.append(log.slice(i, i + size));
      expect(m.lineCount).toBe(whole.lineCount);
      expect(m.sections).toEqual(whole.sections);
      for (let l = 0; l < m.lineCount; l++) expect(renderLine(m, l)).toEqual(renderLine(whole, l));
    }
  });

  it('leaves a section open while it runs', () => {
    const m = new LogModel();
    m.append('section_start:1:build[collapsed=true]\r\x1b[0KBuilding\nstep 1\n');
    expect(m.sections[0]).toMatchObject({ last: -1, endTs: undefined });
    expect([...m.visibleLines()]).toEqual([0]);
  });
});

describe('LogModel.findLines', () => {
  it('finds lines containing the query, once per line, ignoring case, also in later appends', () => {
    const m = new LogModel();
    m.append(`first line\n${E}[31mERROR${E}[0m: disk full\nerror again, error twice\nok\n`);
    expect(m.findLines('error')).toEqual([1, 2]);
    expect(m.findLines('DISK')).toEqual([1]);
    expect(m.findLines('missing')).toEqual([]);
    expect(m.findLines('')).toEqual([]);
    m.append('late error\npartial err');
    expect(m.findLines('err')).toEqual([1, 2, 4, 5]);
    expect(m.findLines('err', 2)).toEqual([1, 2]);
    expect(m.findLines('first')).toEqual([0]);
  });
});

describe('LogModel.findLines with special characters', () => {
  it('takes the query literally', () => {
    const m = new LogModel();
    m.append('a.b\naxb\n$ echo (hi) [x]\n');
    expect(m.findLines('a.b')).toEqual([0]);
    expect(m.findLines('(hi) [x]')).toEqual([2]);
    expect(m.findLines('$ ECHO')).toEqual([2]);
  });
});
