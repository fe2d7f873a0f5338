// The corpus of public task definition files through the committed render-task-def bundle, as the runner runs
// it: how many AWS registers are accepted unchanged, how many AWS refuses are refused naming the reason, and
// the two ways to be wrong. Computed by running every file (the same judgement the corpus test makes), never
// written down.
import { performance } from 'node:perf_hooks';
import { corpusFiles, judgeCorpusFile, tallyCorpus, type CorpusJudgement } from '@deploy-actions/testing';
import type { Figure } from '../../../scripts/bench';

export default async function bench(): Promise<Figure[]> {
  const files = corpusFiles();
  const judgements: CorpusJudgement[] = [];
  const t0 = performance.now();
  for (const { file } of files) judgements.push(await judgeCorpusFile(file));
  const seconds = (performance.now() - t0) / 1000;
  const c = tallyCorpus(judgements);
  const wrong = judgements.filter((j) => !['accepted', 'rightly refused'].includes(j.verdict));
  return [
    { name: 'corpus files', value: c.files, note: 'packages/taskdef/test/corpus, sources in SOURCES.tsv' },
    { name: 'accepted as they are', value: c.accepted },
    { name: 'rightly refused', value: c.rightlyRefused, note: 'AWS refuses them; the message names why' },
    {
      name: '  of which render with role inputs',
      value: c.acceptedWithRoleInputs,
      note: 'only placeholder roles were wrong',
    },
    { name: 'falsely refused', value: c.falselyRefused },
    { name: 'wrongly accepted', value: c.wronglyAccepted },
    { name: 'altered', value: c.altered, note: 'rendered with a change nothing asked for' },
    { name: 'refused for another reason', value: c.refusedForAnotherReason },
    ...(wrong.length > 0 ? [{ name: 'wrong verdicts', value: wrong.map((j) => j.verdict).join(', ') }] : []),
    { name: 'bundle runs, wall time', value: seconds, unit: 's', note: 'cold node start per run, as on the runner' },
  ];
}
