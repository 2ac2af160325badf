// The Diagnosis commands of a runbook page, as a test runs them: each ```sh block's commands (backslash
// continuations joined, comment lines dropped, a trailing `# expect: <regex>` kept as what the output must
// match) and each ```promql block's query; and which commands cannot run without a cluster's pods, and why.

export interface ShellCommand {
  command: string;
  /** What stdout must match, from a trailing `# expect: <regex>`. */
  expect: RegExp | undefined;
}

export interface DiagnosisBlocks {
  shell: ShellCommand[][];
  promql: string[];
}

export function diagnosisSection(markdown: string): string {
  return markdown.split(/^## Diagnosis\s*$/m)[1]?.split(/^## /m)[0] ?? '';
}

function blocks(markdown: string, language: string): string[] {
  return [...markdown.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((match) => match[1]!);
}

export function shellCommands(block: string): ShellCommand[] {
  const joined = block.replace(/\s*\\\n\s*/g, ' ');
  const commands: ShellCommand[] = [];
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const marker = line.match(/\s+#\s*expect:\s*(.+)$/);
    // A trailing comment that is not an expectation is the reader's note: the shell ignores it too.
    commands.push({ command: marker === null ? line : line.slice(0, marker.index), expect: marker === null ? undefined : new RegExp(marker[1]!.trim(), 'm') });
  }
  return commands;
}

export function diagnosisBlocks(markdown: string): DiagnosisBlocks {
  const section = diagnosisSection(markdown);
  return { shell: blocks(section, 'sh').map(shellCommands), promql: blocks(section, 'promql').map((query) => query.trim()) };
}

/** Commands that need what a test cannot give: running pods, a node's metrics, cert-manager, a placeholder to fill. */
export const NOT_RUNNABLE: readonly [RegExp, string][] = [
  [/<[a-z-]+>/, 'holds a placeholder the reader fills in'],
  [/\bkubectl\b.*\s(logs|top|run|exec|port-forward)\s/, 'needs running pods (the test provides the port-forwarded URLs itself)'],
  [/\bkubectl\b.*\s(describe|get) (\S+,)?pods\b/, 'needs pods (the API test server has no kubelet and serves none)'],
  [/\$OPERATOR_METRICS\b/, 'needs the operator running (this stack has no operator process)'],
  [/\bkubectl\b.*\s(get|describe) certificate\b/, 'needs cert-manager'],
  [/\bkubectl\b.*\sget hpa\b/, 'needs autoscaling enabled in the values'],
  [/\bkubectl\b.*\sget configmap novagate-gateway-config\b/, 'standalone mode only'],
];

export function whyNotRunnable(command: string): string | undefined {
  return NOT_RUNNABLE.find(([pattern]) => pattern.test(command))?.[1];
}
