import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  automationDocumentName,
  RUNBOOK_ACTIONS,
  type RunbookAction,
} from '../../.github/actions/failover/automation-document-name';
import { dispatchLockParameterName } from '../../.github/actions/failover/dispatch-lock';
import { runbookStacks } from '../../.github/actions/failover/stack-operations';
import { deployFreezeParameterName, parseFreezeRecord } from '../../.github/actions/freeze/freeze-record';
import { FAILOVER_ACTIONS } from '../../pipeline/github-oidc-stack';
import { pipelineNames } from '../../pipeline/pipeline-names';
import { demoTopology } from '../../runbooks/adapters/local/demo-topology';
import { ORCHESTRATIONS } from '../../runbooks/orchestrations';
import { automationDocument } from '../../runbooks/ssm/automation-document';
import { ARC_CONTROL_PLANE_REGION } from '../../stacks/arc-control-plane-region';

const root = join(__dirname, '../..');
const page = readFileSync(join(root, 'docs/break-glass.md'), 'utf8');
// The page writes names with the shell variables it sets: $APP and $ENV.
const shell = { appName: '$APP', envName: '$ENV' };
const targets = {
  stepFunction: 'arn:aws:lambda:us-west-2:111111111111:function:shop-dev-runbook-step',
  databaseFunction: 'arn:aws:lambda:us-west-2:111111111111:function:shop-dev-runbook-database-step',
  automationRoleArn: 'arn:aws:iam::111111111111:role/shop-dev-us-west-2-runbook',
};

/** Each `aws ssm start-automation-execution` of the page: its document name and its --parameters JSON. */
function startCommands(): Array<{ document: string; parameters: Record<string, string[]> }> {
  // Shell line continuations joined: one command per line.
  const lines = page.replace(/\\\n/g, ' ');
  return [...lines.matchAll(/aws ssm start-automation-execution([^\n]*)/g)].map((match) => {
    const command = match[1]!;
    const document = /--document-name "([^"]+)"/.exec(command)?.[1];
    const parameters = /--parameters '([^']+)'/.exec(command)?.[1];
    if (!document || !parameters)
      throw new Error(`a start-automation-execution without a document or parameters: ${command}`);
    return { document, parameters: JSON.parse(parameters) };
  });
}

describe('docs/break-glass.md matches the code (review M9)', () => {
  test('starts every runbook action, each by its document name', () => {
    const commands = startCommands();
    const byName = new Map(
      RUNBOOK_ACTIONS.map((action) => [automationDocumentName(shell.appName, shell.envName, action), action]),
    );
    expect(commands.length).toBeGreaterThanOrEqual(RUNBOOK_ACTIONS.length);
    for (const { document } of commands) expect([...byName.keys()]).toContain(document);
    expect(new Set(commands.map(({ document }) => byName.get(document)))).toEqual(new Set(RUNBOOK_ACTIONS));
  });

  test('passes only parameters the generated SSM document declares, with accepted values', () => {
    for (const { document, parameters } of startCommands()) {
      const action = document.slice(`${shell.appName}-${shell.envName}-`.length) as RunbookAction;
      const declared = automationDocument(ORCHESTRATIONS[action]!, demoTopology(), targets).parameters;
      for (const [name, values] of Object.entries(parameters)) {
        expect({ document, name, declared: name in declared }).toEqual({ document, name, declared: true });
        expect(values).toHaveLength(1);
        const { allowedValues, allowedPattern } = declared[name]!;
        if (allowedValues) expect(allowedValues).toContain(values[0]);
        if (allowedPattern) expect(values[0]).toMatch(new RegExp(allowedPattern));
      }
      expect(Object.keys(parameters)).toEqual(expect.arrayContaining(['TargetRegion', 'DryRun', 'Reason']));
    }
  });

  test('writes the deploy freeze parameter the freeze CLI reads, with records it accepts', () => {
    const names = [...page.matchAll(/--name "([^"]+)"/g)].map((match) => match[1]);
    expect(names.length).toBeGreaterThan(0);
    // Every parameter the page names is the freeze or the failover CLI's dispatch lock (review-12 D10).
    const known = [
      deployFreezeParameterName(shell.appName, shell.envName),
      dispatchLockParameterName(shell.appName, shell.envName),
    ];
    for (const name of names) expect(known).toContain(name);
    expect(names).toContain(known[0]);
    // Review-12 item 15: the values are built from the shell variables the page sets (printf), never a literal with
    // a stale Region and time; each filled in with what the page's variables may hold must be a record the CLI reads.
    const sample: Record<string, string> = {
      ACTION: 'failback',
      TARGET: 'us-east-1',
      REASON: 'break glass: us-east-1 recovered',
      NOW: '2026-12-07T01:00:00Z',
    };
    expect(page).not.toMatch(/--value '/);
    const values = [...page.matchAll(/VALUE=\$\(printf '([^']+)'((?: "\$[A-Z]+")+)\)/g)].map((match) => {
      const args = [...match[2]!.matchAll(/"\$([A-Z]+)"/g)].map((arg) => sample[arg[1]!]);
      expect(args.every((arg) => arg !== undefined)).toBe(true);
      let i = 0;
      return parseFreezeRecord(match[1]!.replace(/%s/g, () => args[i++]!));
    });
    expect(values.map((value) => ('record' in value ? value.record.frozen : value.problems))).toEqual([true, false]);
    expect(page.match(/--value "\$VALUE"/g)).toHaveLength(2);
  });

  test('names the break-glass role and lists exactly its actions', () => {
    expect(page).toContain('$APP-$ENV-break-glass');
    expect(pipelineNames(shell).breakGlassRole).toBe('$APP-$ENV-break-glass');
    const listed = [...page.matchAll(/`((?:ssm|iam|cloudformation):[A-Za-z]+)`/g)].map((match) => match[1]);
    expect([...new Set(listed)].sort()).toEqual(Object.values(FAILOVER_ACTIONS).flat().sort());
  });

  test('checks the stacks the failover CLI checks before it starts (review-12 D6), by their names', () => {
    // The page's loop over the Regional stacks of $TARGET and the routing stack in $ARC.
    const kinds = /for STACK in ([a-z ]+); do/.exec(page)?.[1]?.split(' ') ?? [];
    const described = [...page.matchAll(/describe-stacks --region \$(\w+) --stack-name "([^"]+)"/g)].flatMap(
      ([, region, name]) =>
        name!.includes('$STACK')
          ? kinds.map((kind) => `${region} ${name!.replace('$STACK', kind)}`)
          : [`${region} ${name}`],
    );
    const expected = runbookStacks('$APP', '$ENV', '$TARGET').map(
      ({ region, stackName }) => `${region === ARC_CONTROL_PLANE_REGION ? 'ARC' : region.slice(1)} ${stackName}`,
    );
    expect(described.sort()).toEqual(expected.sort());
    expect(page).toContain(`ARC=${ARC_CONTROL_PLANE_REGION} `);
  });

  test.each(['README.md', 'pipeline/README.md'])('%s links to the page', (readme) => {
    const text = readFileSync(join(root, readme), 'utf8');
    expect(text).toMatch(readme === 'README.md' ? /\]\(docs\/break-glass\.md\)/ : /\]\(\.\.\/docs\/break-glass\.md\)/);
  });
});
