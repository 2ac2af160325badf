// A config diff as the history page shows it: per kind that changed, its entries with a +, ~ or - marker and the
// change in words (readable without colour); "No change" when nothing differs.
import { diffGroups, type ConfigDiff } from './config-diff-rows.js';

const WORDS = { added: 'added', removed: 'removed', changed: 'changed' } as const;

export function DiffView({ diff, headingLevel }: { diff: ConfigDiff; headingLevel: 3 | 4 }) {
  const groups = diffGroups(diff);
  if (groups.length === 0) return <p>No change: both versions have the same services, routes, consumers, listeners and certificates.</p>;
  const Heading = headingLevel === 3 ? 'h3' : 'h4';
  return (
    <div class="diff">
      {groups.map((group) => (
        <div key={group.kind} class="diff-kind">
          <Heading>{group.title}</Heading>
          <ul>
            {group.entries.map((entry) => (
              <li key={`${entry.change}:${entry.name}`} class={`diff-${entry.change}`}>
                <span class="diff-marker" aria-hidden="true">
                  {entry.marker}
                </span>{' '}
                <span class="diff-word">{WORDS[entry.change]}</span> <code>{entry.name}</code>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}
