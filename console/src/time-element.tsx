// A time shown as "3 min ago" with its absolute UTC form beside it (and in the <time> element's datetime).
import { absoluteTime, relativeTime } from './relative-time.js';

export function TimeText({ time, now }: { time: string; now: Date }) {
  const date = new Date(time);
  return (
    <time dateTime={date.toISOString()} title={absoluteTime(date)}>
      {relativeTime(date, now)} <span class="absolute-time">({absoluteTime(date)})</span>
    </time>
  );
}
