// Reads a Dockerfile into stages of instructions, and .dockerignore into a matcher, so that tests can check
// the images without a Docker engine.
export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  base: string;
  name: string | undefined;
  instructions: Instruction[];
}

export interface Dockerfile {
  args: Map<string, string>;
  stages: Stage[];
}

/** Joins continuation lines, drops comments and parser directives, splits into stages at FROM. */
export function parseDockerfile(text: string): Dockerfile {
  const lines: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    lines.push((pending + line).trim());
    pending = '';
  }
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const [, base = '', name] = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest) ?? [];
      stages.push({ base, name, instructions: [] });
    } else if (stages.length === 0 && upper === 'ARG') {
      const [name = '', value = ''] = rest.split('=', 2);
      args.set(name, value);
    } else {
      stages.at(-1)?.instructions.push({ keyword: upper, args: rest });
    }
  }
  return { args, stages };
}

/** A stage with its ancestors (FROM another stage), oldest first. */
export function stageChain(dockerfile: Dockerfile, name: string): Stage[] {
  const stage = dockerfile.stages.find((candidate) => candidate.name === name);
  if (stage === undefined) throw new Error(`no stage ${name}`);
  const parent = dockerfile.stages.find((candidate) => candidate.name === stage.base);
  return parent === undefined ? [stage] : [...stageChain(dockerfile, parent.name!), stage];
}

/** The image a FROM names once build arguments are substituted. */
export function resolveBase(dockerfile: Dockerfile, base: string): string {
  return base.replace(/\$\{?(\w+)\}?/g, (_, name: string) => dockerfile.args.get(name) ?? '');
}

/** True when .dockerignore keeps path (relative, with /) out of the build context. */
export function dockerignoreExcludes(patterns: readonly string[], path: string): boolean {
  let excluded = false;
  for (const raw of patterns) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    const pattern = (negated ? line.slice(1) : line).replace(/^\/+|\/+$/g, '');
    const source = pattern
      .split('/')
      .map((part) => (part === '**' ? '(?:.*)' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
      .join('/')
      .replace('(?:.*)/', '(?:.*/)?');
    // A pattern that names a folder excludes everything below it.
    if (new RegExp(`^${source}(?:/.*)?$`).test(path)) excluded = !negated;
  }
  return excluded;
}
