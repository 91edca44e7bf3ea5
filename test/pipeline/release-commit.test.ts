import { releaseFromEnvironment } from '../../pipeline/release-commit';

const SHA = 'abcdef0123456789abcdef0123456789abcdef01';
const OTHER = '0123456789abcdef0123456789abcdef01234567';

describe('releaseFromEnvironment', () => {
  test('DEPLOY_COMMIT is no longer read (a rollback redeploys recorded templates, it never synthesizes)', () => {
    expect(releaseFromEnvironment({ DEPLOY_COMMIT: OTHER, GITHUB_SHA: SHA })).toEqual({ commit: SHA });
  });

  test('GITHUB_SHA in a workflow job; nothing outside one', () => {
    expect(releaseFromEnvironment({ GITHUB_SHA: SHA })).toEqual({ commit: SHA });
    expect(releaseFromEnvironment({})).toEqual({});
  });

  test('a value that is not a full commit id names the variable and what is accepted', () => {
    expect(() => releaseFromEnvironment({ GITHUB_SHA: 'main' })).toThrow(
      'GITHUB_SHA: "main" is not a commit id; accepted: the 40 lowercase hex digits of a commit',
    );
  });
});
