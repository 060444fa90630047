import { describe, it, expect } from 'vitest';
import type { RepoView } from '../compiler/context.js';
import { evaluateRules, type RuleContext, type RuleInput } from './evaluate-rules.js';
import { ExpressionError } from './expression.js';

const repo = (files: string[], changed?: string[]): RepoView => ({ listFiles: () => files, changedFiles: () => changed });
const FILES = ['Dockerfile', 'README.md', 'src/app.ts', 'docker/base/Dockerfile', '.gitlab-ci.yml', 'docs/guide/a.md'];
const VARS: Record<string, string> = { CI_COMMIT_BRANCH: 'main', CI_PIPELINE_SOURCE: 'push', DOCKERFILES_DIR: 'docker', CI_DEFAULT_BRANCH: 'main' };
const ctx = (changed?: string[], files = FILES, vars = VARS): RuleContext => ({ lookup: (n) => vars[n], repo: repo(files, changed) });

describe('evaluateRules', () => {
  const cases: Array<[string, RuleInput[], string, RuleContext, { matched: boolean; when: string; index?: number }]> = [
    ['no rules: nothing matches', [], 'on_success', ctx(), { matched: false, when: 'never' }],
    ['bare when always matches', [{ when: 'manual' }], 'on_success', ctx(), { matched: true, when: 'manual', index: 0 }],
    ['empty rule matches with default when', [{}], 'on_success', ctx(), { matched: true, when: 'on_success', index: 0 }],
    ['default when comes from the job', [{ if: '$CI_COMMIT_BRANCH' }], 'delayed', ctx(), { matched: true, when: 'delayed', index: 0 }],
    ['if true', [{ if: '$CI_COMMIT_BRANCH == "main"' }], 'on_success', ctx(), { matched: true, when: 'on_success', index: 0 }],
    ['if false, no match', [{ if: '$CI_COMMIT_BRANCH == "dev"' }], 'on_success', ctx(), { matched: false, when: 'never' }],
    ['first matching rule wins', [{ if: '$X', when: 'always' }, { if: '$CI_COMMIT_BRANCH', when: 'manual' }, { when: 'on_failure' }], 'on_success', ctx(), { matched: true, when: 'manual', index: 1 }],
    ['when: never matches and excludes', [{ if: '$CI_PIPELINE_SOURCE == "push"', when: 'never' }, { when: 'always' }], 'on_success', ctx(), { matched: true, when: 'never', index: 0 }],
    ['changes unknown → true', [{ changes: ['nothing/*'] }], 'on_success', ctx(undefined), { matched: true, when: 'on_success', index: 0 }],
    ['changes empty → false', [{ changes: ['**/*'] }], 'on_success', ctx([]), { matched: false, when: 'never' }],
    ['changes match', [{ changes: ['src/**/*.ts'] }], 'on_success', ctx(['src/app.ts']), { matched: true, when: 'on_success', index: 0 }],
    ['changes no match', [{ changes: ['docs/*'] }], 'on_success', ctx(['src/app.ts']), { matched: false, when: 'never' }],
    ['changes:paths form', [{ changes: { paths: ['Dockerfile'], compare_to: 'refs/heads/main' } }], 'on_success', ctx(['Dockerfile']), { matched: true, when: 'on_success', index: 0 }],
    ['changes paths are expanded', [{ changes: ['$DOCKERFILES_DIR/**/*'] }], 'on_success', ctx(['docker/base/Dockerfile']), { matched: true, when: 'on_success', index: 0 }],
    ['changes: unknown variable kept literally', [{ changes: ['$NOPE/*'] }], 'on_success', ctx(['x/a']), { matched: false, when: 'never' }],
    ['if and changes must both hold', [{ if: '$CI_COMMIT_BRANCH == "main"', changes: ['docs/**/*'] }], 'on_success', ctx(['src/app.ts']), { matched: false, when: 'never' }],
    ['exists exact path', [{ exists: ['Dockerfile'] }], 'on_success', ctx(), { matched: true, when: 'on_success', index: 0 }],
    ['exists exact path missing', [{ exists: ['Containerfile'] }], 'on_success', ctx(), { matched: false, when: 'never' }],
    ['exists glob', [{ exists: ['**/Dockerfile'] }], 'on_success', ctx(), { matched: true, when: 'on_success', index: 0 }],
    ['exists glob is not recursive without **/', [{ exists: ['*.ts'] }], 'on_success', ctx(), { matched: false, when: 'never' }],
    ['exists dotfile', [{ exists: ['*.yml'] }], 'on_success', ctx(), { matched: true, when: 'on_success', index: 0 }],
    ['exists expanded', [{ exists: ['$DOCKERFILES_DIR/base/Dockerfile'] }], 'on_success', ctx(), { matched: true, when: 'on_success', index: 0 }],
    ['exists:paths form', [{ exists: { paths: ['README.md'] } }], 'on_success', ctx(), { matched: true, when: 'on_success', index: 0 }],
    ['exists with no paths is false', [{ exists: [] }], 'on_success', ctx(), { matched: false, when: 'never' }],
    ['exists in an empty repository', [{ exists: ['**/*'] }], 'on_success', ctx(undefined, []), { matched: false, when: 'never' }],
    ['rule carries start_in', [{ when: 'delayed', start_in: '5 minutes' }], 'on_success', ctx(), { matched: true, when: 'delayed', index: 0 }],
  ];
  it.each(cases)('%s', (_name, rules, defaultWhen, context, expected) => {
    const outcome = evaluateRules(rules, defaultWhen, context);
    expect(outcome.matched).toBe(expected.matched);
    expect(outcome.when).toBe(expected.when);
    expect(outcome.rule).toBe(expected.index === undefined ? undefined : rules[expected.index]);
  });

  it('assumes a match after 50,000 exists pattern comparisons, as GitLab does', () => {
    const files = Array.from({ length: 50_001 }, (_, i) => `f${i}.txt`);
    expect(evaluateRules([{ exists: ['*.none'] }], 'on_success', ctx(undefined, files)).matched).toBe(true);
  });

  it('throws ExpressionError for an invalid if', () => {
    expect(() => evaluateRules([{ if: '$A = 1' }], 'on_success', ctx())).toThrow(ExpressionError);
  });
});
