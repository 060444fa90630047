import { describe, it, expect } from 'vitest';
import type { RepoView } from '../compiler/context.js';
import { evaluateOnlyExcept, type OnlyExceptContext } from './only-except.js';

const repo = (changed?: string[]): RepoView => ({ listFiles: () => [], changedFiles: () => changed });
const ctx = (over: Partial<OnlyExceptContext> = {}, vars: Record<string, string> = {}): OnlyExceptContext => ({
  ref: 'main',
  refType: 'branch',
  source: 'push',
  lookup: (n) => ({ CI_PROJECT_PATH: 'group/project', DEPLOY: 'true', ...vars })[n],
  repo: repo(),
  ...over,
});

describe('evaluateOnlyExcept', () => {
  const cases: Array<[string, unknown, unknown, OnlyExceptContext, boolean]> = [
    ['default only: branch push', undefined, undefined, ctx(), true],
    ['default only: tag', undefined, undefined, ctx({ ref: 'v1', refType: 'tag' }), true],
    ['default only: not merge requests', undefined, undefined, ctx({ source: 'merge_request_event' }), false],
    ['only: [main]', ['main'], undefined, ctx(), true],
    ['only: [main] on dev', ['main'], undefined, ctx({ ref: 'dev' }), false],
    ['only as a string', 'main', undefined, ctx(), true],
    ['only: branches', ['branches'], undefined, ctx(), true],
    ['only: branches on a tag', ['branches'], undefined, ctx({ ref: 'v1', refType: 'tag' }), false],
    ['only: tags', ['tags'], undefined, ctx({ ref: 'v1', refType: 'tag' }), true],
    ['only: tags on a branch', ['tags'], undefined, ctx(), false],
    ['only: /^release-.*$/', ['/^release-.*$/'], undefined, ctx({ ref: 'release-1.0' }), true],
    ['only: /^release-.*$/ no match', ['/^release-.*$/'], undefined, ctx({ ref: 'main' }), false],
    ['only: /^RELEASE/i', ['/^RELEASE/i'], undefined, ctx({ ref: 'release-1' }), true],
    ['only: regex with lookahead falls back to a plain regex', ['/^(?!wip).*/'], undefined, ctx({ ref: 'main' }), true],
    ['only: schedules', ['schedules'], undefined, ctx({ source: 'schedule' }), true],
    ['only: schedules on push', ['schedules'], undefined, ctx(), false],
    ['only: pushes', ['pushes'], undefined, ctx(), true],
    ['only: web', ['web'], undefined, ctx({ source: 'web' }), true],
    ['only: api', ['api'], undefined, ctx({ source: 'api' }), true],
    ['only: triggers', ['triggers'], undefined, ctx({ source: 'trigger' }), true],
    ['only: pipelines', ['pipelines'], undefined, ctx({ source: 'pipeline' }), true],
    ['only: chat', ['chat'], undefined, ctx({ source: 'chat' }), true],
    ['only: external', ['external'], undefined, ctx({ source: 'external' }), true],
    ['only: merge_requests', ['merge_requests'], undefined, ctx({ source: 'merge_request_event' }), true],
    ['only: external_pull_requests', ['external_pull_requests'], undefined, ctx({ source: 'external_pull_request_event' }), true],
    ['ref names do not match in merge request pipelines', ['main'], undefined, ctx({ source: 'merge_request_event' }), false],
    ['only: main@group/project', ['main@group/project'], undefined, ctx(), true],
    ['only: main@other/project', ['main@other/project'], undefined, ctx(), false],
    ['except: [main]', undefined, ['main'], ctx(), false],
    ['except: [main] on dev (default only applies)', undefined, ['main'], ctx({ ref: 'dev' }), true],
    ['except: tags', undefined, ['tags'], ctx({ ref: 'v1', refType: 'tag' }), false],
    ['only and except together', ['branches'], ['/^wip-/'], ctx({ ref: 'wip-x' }), false],
    ['only: {refs, variables} both hold', { refs: ['main'], variables: ['$DEPLOY == "true"'] }, undefined, ctx(), true],
    ['only: {refs, variables} variables fail', { refs: ['main'], variables: ['$DEPLOY == "false"'] }, undefined, ctx(), false],
    ['only: {variables} any expression', { variables: ['$NOPE', '$DEPLOY'] }, undefined, ctx(), true],
    ['only: {variables} alone ignores refs', { variables: ['$DEPLOY'] }, undefined, ctx({ source: 'merge_request_event' }), true],
    ['only: {changes} unknown changes → true', { changes: ['docs/*'] }, undefined, ctx({ repo: repo(undefined) }), true],
    ['only: {changes} matching', { changes: ['docs/*'] }, undefined, ctx({ repo: repo(['docs/a.md']) }), true],
    ['only: {changes} not matching', { changes: ['docs/*'] }, undefined, ctx({ repo: repo(['src/a.ts']) }), false],
    ['except: {changes}', undefined, { changes: ['**/*.md'] }, ctx({ repo: repo(['README.md']) }), false],
    ['only: {kubernetes: active} without kubernetes', { kubernetes: 'active' }, undefined, ctx(), false],
    ['only: {kubernetes: active} with kubernetes', { kubernetes: 'active' }, undefined, ctx({ kubernetesActive: true }), true],
    ['only: {} has no policy', {}, undefined, ctx({ source: 'merge_request_event' }), true],
    ['except: {variables}', undefined, { variables: ['$DEPLOY'] }, ctx(), false],
  ];
  it.each(cases)('%s', (_name, only, except, context, expected) => {
    expect(evaluateOnlyExcept(only, except, context)).toBe(expected);
  });

  it('skips the default only when the caller says so (workflow:rules present)', () => {
    expect(evaluateOnlyExcept(undefined, undefined, ctx({ source: 'merge_request_event' }), { defaultOnly: false })).toBe(true);
    expect(evaluateOnlyExcept(undefined, ['main'], ctx(), { defaultOnly: false })).toBe(false);
  });
});
