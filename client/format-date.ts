// Formats the corpus' ISO dates for people ("2018-03-27" → "27 March 2018"), independent of locale and time zone.

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/**
 * Formats an ISO `YYYY-MM-DD` (or `YYYY-MM`, `YYYY`) date as e.g. "27 March 2018".
 * Anything else is returned unchanged, so an odd date is still shown rather than hidden.
 */
export function formatDate(iso: string): string {
  const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(iso.trim());
  if (!match) return iso;
  const [, year, monthText, dayText] = match;
  if (monthText === undefined) return year ?? iso;
  const month = MONTHS[Number(monthText) - 1];
  if (month === undefined) return iso;
  if (dayText === undefined) return `${month} ${year}`;
  const day = Number(dayText);
  if (day < 1 || day > 31) return iso;
  return `${day} ${month} ${year}`;
}
