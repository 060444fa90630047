// Human durations as GitLab reads them (`timeout`, `start_in`, `artifacts:expire_in`,
// `environment:auto_stop_in`). GitLab parses these with its vendored ChronicDuration
// (gitlab-chronic-duration 0.12) with `raise_exceptions = true`: an unknown word makes the
// whole text invalid, a total of zero is "no duration", `1 month` is 30 days, a week 7 days
// and a year 365.25 days.

const UNIT_SECONDS = {
  seconds: 1,
  minutes: 60,
  hours: 3600,
  days: 86_400,
  weeks: 604_800,
  months: 2_592_000,
  years: 31_557_600,
} as const;

type Unit = keyof typeof UNIT_SECONDS;

/** Units from the smallest up: a bare number after `1 hour` means the next smaller unit. */
const UNIT_ORDER: readonly Unit[] = ['seconds', 'minutes', 'hours', 'days', 'weeks', 'months', 'years'];

const WORDS: Readonly<Record<string, Unit>> = {
  seconds: 'seconds', second: 'seconds', secs: 'seconds', sec: 'seconds', s: 'seconds',
  minutes: 'minutes', minute: 'minutes', mins: 'minutes', min: 'minutes', m: 'minutes',
  hours: 'hours', hour: 'hours', hrs: 'hours', hr: 'hours', h: 'hours',
  days: 'days', day: 'days', dy: 'days', d: 'days',
  weeks: 'weeks', week: 'weeks', wks: 'weeks', wk: 'weeks', w: 'weeks',
  months: 'months', month: 'months', mo: 'months', mos: 'months',
  years: 'years', year: 'years', yrs: 'years', yr: 'years', y: 'years',
};

const JOIN_WORDS = new Set(['and', 'with', 'plus']);
const NUMBER = /^[0-9]*\.?[0-9]+$/;
const NUMBER_ANYWHERE = /[0-9]*\.?[0-9]+/g;
/** `1:30`, `1:02:03`, `2:00:00:00` — read right to left as seconds, minutes, hours, days... */
const CLOCK = /^[0-9]+:[0-9]+(:[0-9]+){0,4}(\.[0-9]*)?$/;
const CLOCK_UNITS: readonly Unit[] = ['seconds', 'minutes', 'hours', 'days', 'months', 'years'];

export interface ParseDurationOptions {
  /** ChronicDuration's `keep_zero`: return 0 instead of undefined for a zero total. */
  keepZero?: boolean;
}

/**
 * Seconds in a duration text ("3h 30m", "1 week", "2 days 4 hrs", "1.5h", "1:30"), or undefined
 * when the text is not a duration (unknown word, no number, zero). A number is seconds.
 * The result may be fractional ("1.5s").
 */
export function parseDuration(text: string | number, options: ParseDurationOptions = {}): number | undefined {
  const words = tokenize(String(text));
  if (words === undefined) return undefined;
  let total = 0;
  let lastUnit: Unit | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (!NUMBER.test(word)) continue;
    const next = words[i + 1];
    let unit: Unit;
    if (next !== undefined && next in UNIT_SECONDS) {
      unit = next as Unit;
    } else if (lastUnit !== undefined) {
      const index = UNIT_ORDER.indexOf(lastUnit);
      unit = index > 0 ? UNIT_ORDER[index - 1]! : lastUnit;
    } else {
      unit = 'seconds';
    }
    if (next !== undefined && next in UNIT_SECONDS) lastUnit = unit;
    else if (lastUnit !== undefined) lastUnit = unit;
    total += Number(word) * UNIT_SECONDS[unit];
  }
  if (total === 0 && !options.keepZero) return undefined;
  return total;
}

/** `'never'` (any case), seconds, or undefined when invalid: the `artifacts:expire_in` reading. */
export function parseExpireIn(text: string | number): 'never' | number | undefined {
  if (typeof text === 'string' && text.toLowerCase() === 'never') return 'never';
  return parseDuration(text);
}

/** Splits into numbers and canonical unit names; undefined when a word is not understood. */
function tokenize(input: string): string[] | undefined {
  let text = input.toLowerCase();
  const compact = text.replace(/ /g, '');
  if (CLOCK.test(compact)) {
    const parts = compact.split(':').reverse();
    const out: string[] = [];
    for (let k = 0; k < parts.length; k++) {
      const unit = CLOCK_UNITS[k];
      if (unit === undefined) return undefined;
      out.push(`${parts[k]!} ${unit}`);
    }
    text = out.reverse().join(' ');
  }
  text = text.replace(NUMBER_ANYWHERE, (n) => ` ${n} `);
  const result: string[] = [];
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    if (NUMBER.test(word) || /[0-9]*\.?[0-9]+/.test(word)) {
      result.push(word);
      continue;
    }
    const stripped = word.replace(/^,/, '').replace(/,$/, '');
    const unit = WORDS[stripped];
    if (unit !== undefined) result.push(unit);
    else if (!JOIN_WORDS.has(stripped)) return undefined;
  }
  // "day" or "minute 30sec": a leading unit counts once.
  const first = result[0];
  if (first !== undefined && first in UNIT_SECONDS) result.unshift('1');
  return result;
}

/**
 * ChronicDuration's default output: `1 hr 30 mins`, `2 days`, `1 mo 5 days`, `45 secs`.
 * Zero gives `0 secs`.
 */
export function formatDuration(seconds: number): string {
  let rest = Math.max(0, seconds);
  if (rest - Math.trunc(rest) === 0) rest = Math.trunc(rest);
  let years = 0;
  let months = 0;
  let days = 0;
  let hours = 0;
  let minutes = 0;
  const year = UNIT_SECONDS.years;
  const month = UNIT_SECONDS.months;
  if (rest >= year && rest % year < rest % month) {
    years = Math.floor(rest / year);
    months = Math.floor((rest % year) / month);
    days = Math.floor(((rest % year) % month) / 86_400);
    hours = Math.floor((((rest % year) % month) % 86_400) / 3600);
    minutes = Math.floor(((((rest % year) % month) % 86_400) % 3600) / 60);
    rest = ((((rest % year) % month) % 86_400) % 3600) % 60;
  } else if (rest >= 60) {
    minutes = Math.floor(rest / 60);
    rest %= 60;
    if (minutes >= 60) {
      hours = Math.floor(minutes / 60);
      minutes %= 60;
      if (hours >= 24) {
        days = Math.floor(hours / 24);
        hours %= 24;
        if (days >= 30) {
          months = Math.floor(days / 30);
          days %= 30;
        }
      }
    }
  }
  const parts: string[] = [];
  const add = (n: number, unit: string): void => {
    if (n !== 0) parts.push(`${n} ${unit}${n === 1 ? '' : 's'}`);
  };
  add(years, 'yr');
  add(months, 'mo');
  add(days, 'day');
  add(hours, 'hr');
  add(minutes, 'min');
  add(Number.isInteger(rest) ? rest : Number(rest.toFixed(3)), 'sec');
  return parts.length > 0 ? parts.join(' ') : '0 secs';
}
