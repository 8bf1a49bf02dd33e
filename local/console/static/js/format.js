// Times, durations and names as the console shows them. Times are the engine's (virtual when the clock is),
// shown in UTC because that is what a virtual clock is set in.

const UNIT_SECONDS = { d: 86400, h: 3600, m: 60, s: 1 };

/** "2026-01-01 12:00:00.250 UTC" from epoch seconds (as the API returns dates). */
export function formatTime(epochSeconds) {
  if (epochSeconds === undefined || epochSeconds === null) return "";
  const iso = new Date(epochSeconds * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)} UTC`;
}

/** The same for an RFC 3339 text (as /_local/clock returns it). */
export function formatIsoTime(text) {
  return formatTime(Date.parse(text) / 1000);
}

/** "3d 4h 5m 2.5s", "250 ms": the non-zero units, largest first. */
export function formatDuration(seconds) {
  if (seconds === undefined || seconds === null || Number.isNaN(seconds)) return "";
  if (seconds < 0) return `-${formatDuration(-seconds)}`;
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  const parts = [];
  let rest = seconds;
  for (const unit of ["d", "h", "m"]) {
    const count = Math.floor(rest / UNIT_SECONDS[unit]);
    if (count > 0) {
      parts.push(`${count}${unit}`);
      rest -= count * UNIT_SECONDS[unit];
    }
  }
  const secondsLeft = Math.round(rest * 1000) / 1000;
  if (secondsLeft > 0 || parts.length === 0) parts.push(`${secondsLeft}s`);
  return parts.join(" ");
}

/**
 * Seconds in a duration such as "90m", "3d", "1d12h", "45s" or "1h 30m"; throws a message for anything else.
 */
export function parseDuration(text) {
  const compact = String(text).replace(/\s+/g, "").toLowerCase();
  if (!/^(\d+(\.\d+)?[dhms])+$/.test(compact)) {
    throw new Error(`"${text}" is not a duration: write e.g. 90m, 3d, 1d12h or 45s`);
  }
  let seconds = 0;
  for (const [, amount, , unit] of compact.matchAll(/(\d+(\.\d+)?)([dhms])/g)) {
    seconds += Number(amount) * UNIT_SECONDS[unit];
  }
  return seconds;
}

/** The last segment of an ARN: a state machine's name from its ARN. */
export function nameFromArn(arn) {
  return String(arn || "").split(":").pop();
}

/** A Map Run's name from its ARN: "Machine/Label:run-id". */
export function mapRunName(arn) {
  return String(arn || "").split(":").slice(-2).join(":");
}
