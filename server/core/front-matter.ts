// Front matter of a speech: which leading lines are front matter, and parsing them (title, speaker,
// role, event, date, place) into DetectedMeta from generic cues and `Label: value` lines. Pure; no I/O.

import { cleanMetaValue, META_FIELDS, SPEECH_FIELDS, type MetaField, type MetaFields } from './speech-meta.ts';

/** Metadata detected in a speech's text; a field is absent when it was not found. */
export type DetectedMeta = MetaFields;

/** Labelled lines whose value could not be read (e.g. "Date: not given on page"): each field with its value as written. */
export type UnreadableMeta = Partial<Record<MetaField, string>>;

/** A date found inside a line: its ISO form and where it sits in the line. */
export interface DateMatch {
  iso: string;
  index: number;
  length: number;
}

/** Longest line still taken for front matter; longer ones are prose. */
const MAX_FRONT_LINE_CHARS = 120;
/** More lines than this in one block reads as text, not a title page. */
const MAX_FRONT_BLOCK_LINES = 6;

const EVENT_WORDS =
  /\b(dialogues?|conferences?|forums?|sessions?|summits?|meetings?|workshops?|councils?|assembly|symposium|congress|seminars?|round ?tables?|consultations?|colloquium|retreat)\b/i;
const SPEECH_WORDS =
  /\b(remarks|statement|speech|address|keynote|opening|closing|welcome|welcoming|message|briefing|intervention|lecture|presentation)\b/i;
// Words that make a capitalised phrase an institution or a venue rather than a person's name.
const NOT_NAME_WORDS =
  /\b(international|organi[sz]ation|ministry|government|agency|office|department|committee|commission|union|republic|kingdom|states|united|nations|secretariat|mission|headquarters|palais|cent(?:re|er)|hall|building|house|room|hotel|university|city|street|avenue)\b/i;
const HONORIFICS = new Set(['by', 'h.e.', 'he', 'his', 'her', 'excellency', 'mr', 'mr.', 'mrs', 'mrs.', 'ms', 'ms.', 'dr', 'dr.', 'prof', 'prof.', 'sir', 'dame', 'ambassador']);
const NAME_PARTICLES = new Set(['de', 'da', 'das', 'do', 'dos', 'du', 'del', 'della', 'der', 'den', 'van', 'von', 'la', 'le', 'bin', 'ibn', 'al', 'el', 'y']);
const SMALL_WORDS = new Set(['a', 'an', 'and', 'as', 'at', 'but', 'by', 'for', 'from', 'in', 'into', 'nor', 'of', 'on', 'or', 'per', 'the', 'to', 'via', 'vs', 'with']);
// Acronyms of the migration / UN-system domain that title-casing an all-caps line must not lower.
const KNOWN_ACRONYMS = new Set(['UN', 'IOM', 'IDM', 'UNHCR', 'UNICEF', 'UNDP', 'UNFPA', 'UNODC', 'UNESCO', 'OHCHR', 'ILO', 'WHO', 'OECD', 'EU', 'AU', 'GCM', 'GFMD', 'SDG', 'SDGS', 'NGO', 'NGOS', 'CSO', 'CSOS', 'ECOSOC', 'USA', 'UK', 'UAE']);

const WEEKDAY = '(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\\s+)?';
const MONTH = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const ORDINAL = '(?:st|nd|rd|th)?';
// "26–27 March 2018": a day range; the first day is taken.
const DAY_RANGE = `(?:\\s*[-–—]\\s*\\d{1,2}${ORDINAL})?`;
const MONTH_KEYS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

type Ymd = [year: number, month: number, day: number];
interface DatePattern {
  regex: RegExp;
  toYmd(m: RegExpExecArray): Ymd | undefined;
}

const monthOf = (name: string | undefined): number => MONTH_KEYS.indexOf((name ?? '').slice(0, 3).toLowerCase()) + 1;
const num = (s: string | undefined): number => Number(s ?? NaN);

const DATE_PATTERNS: readonly DatePattern[] = [
  {
    // 27 March 2018, Tuesday 27th of March 2018
    regex: new RegExp(`\\b${WEEKDAY}(\\d{1,2})${ORDINAL}${DAY_RANGE}\\s+(?:of\\s+)?${MONTH}\\.?,?\\s+(\\d{4})\\b`, 'i'),
    toYmd: (m) => [num(m[3]), monthOf(m[2]), num(m[1])],
  },
  {
    // March 27, 2018
    regex: new RegExp(`\\b${WEEKDAY}${MONTH}\\.?\\s+(\\d{1,2})${ORDINAL}${DAY_RANGE},?\\s+(\\d{4})\\b`, 'i'),
    toYmd: (m) => [num(m[3]), monthOf(m[1]), num(m[2])],
  },
  {
    // 2018-03-27
    regex: /\b(\d{4})([-/.])(\d{1,2})\2(\d{1,2})\b/,
    toYmd: (m) => [num(m[1]), num(m[3]), num(m[4])],
  },
  {
    // 27.03.2018: day first, as international documents write it, unless only month-first is a valid date.
    regex: /\b(\d{1,2})([-/.])(\d{1,2})\2(\d{4})\b/,
    toYmd: (m) => {
      const [a, b] = [num(m[1]), num(m[3])];
      return b > 12 && a <= 12 ? [num(m[4]), a, b] : [num(m[4]), b, a];
    },
  },
];

function isoOf([year, month, day]: Ymd): string | undefined {
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Finds the first valid calendar date written in `line` ("27 March 2018", "March 27, 2018", "27.03.2018", "2018-03-27"). */
export function findDate(line: string): DateMatch | undefined {
  let best: DateMatch | undefined;
  for (const pattern of DATE_PATTERNS) {
    const m = pattern.regex.exec(line);
    const ymd = m ? pattern.toYmd(m) : undefined;
    const iso = ymd ? isoOf(ymd) : undefined;
    if (m && iso && (!best || m.index < best.index)) best = { iso, index: m.index, length: m[0].length };
  }
  return best;
}

const fold = (s: string): string => s.replace(/\s+/g, ' ').trim();
const isShouting = (s: string): boolean => !/\p{Ll}/u.test(s) && (s.match(/\p{Lu}/gu)?.length ?? 0) >= 2;
const stripSeparators = (s: string): string => s.replace(/^[\s,;:|–—-]+|[\s,;:|–—-]+$/g, '');
const ROMAN = /^(?=[IVXLC])(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$/;

/** Title-cases one word; `atEdge` words (first, last, after a colon) are capitalised even when small. */
function titleWord(word: string, options: { atEdge: boolean }): string {
  const edge = options.atEdge;
  const core = word.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
  if (!core) return word;
  const bracketed = /^[([]/.test(word);
  const keepUpper = bracketed || KNOWN_ACRONYMS.has(core) || !/[AEIOUY]/.test(core) || /\d/.test(core) || ROMAN.test(core);
  if (keepUpper) return word;
  const lower = word.toLowerCase();
  if (!edge && SMALL_WORDS.has(core.toLowerCase())) return lower;
  // Capitalise every hyphen part: "HIGH-LEVEL" → "High-Level".
  return lower.replace(/(^|[-–/])([^\p{L}]*)(\p{L})/gu, (_m, sep: string, pre: string, ch: string) => sep + pre + ch.toUpperCase());
}

/** Title-cases an ALL-CAPS line ("INTERNATIONAL DIALOGUE ON MIGRATION" → "International Dialogue on Migration"); other lines are returned as written. */
export function displayCase(line: string): string {
  const text = fold(line);
  if (!isShouting(text)) return text;
  const words = text.split(' ');
  return words
    .map((w, i) => titleWord(w, { atEdge: i === 0 || i === words.length - 1 || /[:–—]$/.test(words[i - 1] ?? '') }))
    .join(' ');
}

/** The person's name in `head`, without honorifics, when it is shaped like one (2–6 capitalised words, particles allowed). */
function personName(head: string, options: { shouting: boolean }): string | undefined {
  const tokens = fold(head).split(' ');
  while (tokens.length > 0 && HONORIFICS.has((tokens[0] ?? '').toLowerCase())) tokens.shift();
  if (tokens.length < 2 || tokens.length > 6) return undefined;
  if (NOT_NAME_WORDS.test(head) || EVENT_WORDS.test(head) || SPEECH_WORDS.test(head)) return undefined;
  const nameToken = (t: string): boolean =>
    NAME_PARTICLES.has(t) ||
    (/^\p{Lu}[\p{L}'’.-]*$/u.test(t) && (options.shouting || !/^\p{Lu}{2,}$/u.test(t)));
  if (!tokens.every(nameToken)) return undefined;
  return tokens.join(' ');
}

/** "William Lacy Swing, IOM Director General" → the name and the role, when the part before the comma is a person's name. */
export function splitNameAndRole(text: string): { speaker: string; role: string } | undefined {
  const comma = text.indexOf(',');
  if (comma < 0) return undefined;
  const name = personName(text.slice(0, comma), { shouting: isShouting(text) });
  if (name === undefined) return undefined;
  return { speaker: name, role: stripSeparators(text.slice(comma + 1)) };
}

const PLACE_WORDS = new Set([...NAME_PARTICLES, 'of', 'the', 'des', 'sur', 'am']);
const ORGANISATION_WORDS = /\b(organi[sz]ation|ministry|government|agency|office|department|committee|commission|union|secretariat|mission|session|panel|workshop)\b/i;

/** The place an event line ends with ("…, second session, New York" → "New York"), if its last part reads as one. */
export function placeAtEndOf(event: string): string | undefined {
  const parts = event.split(',');
  if (parts.length < 2) return undefined;
  // "…, Geneva (keynote address)": a closing remark in brackets is not part of the place.
  const last = fold(parts[parts.length - 1] ?? '').replace(/\s*\([^)]*\)$/, '');
  const words = last.split(' ').filter(Boolean);
  if (words.length === 0 || words.length > 4 || /\d/.test(last)) return undefined;
  if (EVENT_WORDS.test(last) || SPEECH_WORDS.test(last) || ORGANISATION_WORDS.test(last)) return undefined;
  // A lone acronym is an organisation more often than a place ("…, IOM").
  if (words.length === 1 && /^\p{Lu}{2,}$/u.test(last)) return undefined;
  const placeWord = (word: string): boolean => PLACE_WORDS.has(word) || /^\p{Lu}[\p{L}'’.-]*$/u.test(word);
  return words.every(placeWord) && !PLACE_WORDS.has(words[0] ?? '') ? last : undefined;
}

const LABELS = new Map(META_FIELDS.map((field) => [SPEECH_FIELDS[field].label.toLowerCase(), field]));
const LABELLED_LINE = new RegExp(`^\\s*(${[...LABELS.keys()].join('|')})[^\\S\\n]*:(.*)$`, 'i');

/** A `Label: value` line naming a metadata field ("Speaker: William Lacy Swing"), with the value folded, or null. */
export function readLabelledLine(line: string): { field: MetaField; value: string } | null {
  const match = LABELLED_LINE.exec(line);
  const field = match ? LABELS.get((match[1] ?? '').toLowerCase()) : undefined;
  return field === undefined ? null : { field, value: fold(match?.[2] ?? '') };
}

/**
 * Reads the values of labelled lines (each field's first non-empty value, as written): a date into ISO, or into
 * `unreadable` when no date can be read in it; a speaker written "Name, Role" into the speaker and, unless a
 * role is given on its own line, the role.
 */
export function readLabelledValues(values: Partial<Record<MetaField, string>>): { meta: DetectedMeta; unreadable: UnreadableMeta } {
  const meta: DetectedMeta = {};
  const unreadable: UnreadableMeta = {};
  for (const field of META_FIELDS) {
    const value = values[field];
    if (value === undefined || value === '') continue;
    if (SPEECH_FIELDS[field].kind === 'date') {
      const iso = findDate(value)?.iso;
      if (iso === undefined) unreadable[field] = cleanMetaValue(value);
      else meta[field] = iso;
    } else meta[field] = cleanMetaValue(value);
  }
  const split = meta.speaker === undefined ? undefined : splitNameAndRole(meta.speaker);
  if (split) {
    meta.speaker = split.speaker;
    if (meta.role === undefined && split.role !== '') meta.role = split.role;
  }
  return { meta, unreadable };
}

/** True when a block of lines reads like front matter: a few short lines, none of them a sentence or a salutation. */
export function isFrontMatterBlock(lines: readonly string[]): boolean {
  if (lines.length === 0 || lines.length > MAX_FRONT_BLOCK_LINES) return false;
  return lines.every((raw) => {
    const line = fold(raw);
    if (line.length === 0 || line.length > MAX_FRONT_LINE_CHARS) return false;
    // A trailing comma marks a salutation; a full stop marks prose, unless the line is a dated line.
    if (line.endsWith(',')) return false;
    return !/[.!?;]$/.test(line) || findDate(line) !== undefined;
  });
}

/** Assigns the text around a date ("…, UN Headquarters, New York") to event, title or place by its cues. */
function assignAroundDate(meta: DetectedMeta, part: string): void {
  const text = stripSeparators(part);
  if (!text) return;
  if (EVENT_WORDS.test(text) && !meta.event) meta.event = displayCase(text);
  else if (SPEECH_WORDS.test(text) && !meta.title) meta.title = displayCase(text);
  else if (!meta.place) meta.place = displayCase(text);
}

/**
 * Parses front-matter blocks (each a list of lines) into {@link DetectedMeta}.
 * A `Label: value` line gives that field (see {@link readLabelledValues}). Other cues: a date pattern (the rest
 * of that line is the place), event words, a "Name, Role" shape (further lines of the same block continue the
 * role), and an all-caps or speech-word line for the title.
 */
export function parseFrontMatter(blocks: readonly (readonly string[])[]): DetectedMeta {
  const meta: DetectedMeta = {};
  const labelled: Partial<Record<MetaField, string>> = {};
  for (const block of blocks) {
    let roleContinues = false;
    block.forEach((raw, i) => {
      const line = fold(raw);
      if (!line) return;
      const label = readLabelledLine(line);
      if (label !== null) {
        roleContinues = false;
        if (labelled[label.field] === undefined && label.value !== '') labelled[label.field] = label.value;
        return;
      }
      const date = findDate(line);
      if (date) {
        roleContinues = false;
        if (meta.date) return;
        meta.date = date.iso;
        const before = line.slice(0, date.index);
        const after = line.slice(date.index + date.length);
        // The place usually follows the date; a leading part is then the event or the place.
        assignAroundDate(meta, after);
        assignAroundDate(meta, before);
        return;
      }
      if (roleContinues) {
        meta.role = meta.role ? `${meta.role}, ${displayCase(line)}` : displayCase(line);
        return;
      }
      if (!meta.event && EVENT_WORDS.test(line)) {
        meta.event = displayCase(line);
        return;
      }
      if (!meta.speaker) {
        const comma = line.indexOf(',');
        const shouting = isShouting(line);
        const roleFollows = i < block.length - 1;
        // A bare name needs its role on the next line, and an all-caps bare line is more likely a title.
        const eligible = comma >= 0 || (roleFollows && !shouting);
        const name = eligible ? personName(comma >= 0 ? line.slice(0, comma) : line, { shouting }) : undefined;
        if (name) {
          meta.speaker = displayCase(name);
          const role = comma >= 0 ? stripSeparators(line.slice(comma + 1)) : '';
          if (role) meta.role = displayCase(role);
          roleContinues = true;
          return;
        }
      }
      if (!meta.title && (isShouting(line) || SPEECH_WORDS.test(line))) meta.title = displayCase(line);
    });
  }
  // What a line says with a label ("Speaker: …") wins over what the cues guess.
  return { ...meta, ...readLabelledValues(labelled).meta };
}
