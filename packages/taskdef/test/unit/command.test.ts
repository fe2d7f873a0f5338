import { splitCommand } from '@deploy-actions/taskdef';

const WHERE = "input 'command'";

describe('splitCommand', () => {
  test.each<[string, string[]]>([
    ['bin/rails server', ['bin/rails', 'server']],
    ['  bin/rails   server  -b 0.0.0.0 ', ['bin/rails', 'server', '-b', '0.0.0.0']],
    ['echo "hello world"', ['echo', 'hello world']],
    ["echo 'hello world'", ['echo', 'hello world']],
    ["sh -c 'echo $HOME && ls | wc -l'", ['sh', '-c', 'echo $HOME && ls | wc -l']],
    ['echo "say \\"hi\\""', ['echo', 'say "hi"']],
    ['echo "back\\\\slash"', ['echo', 'back\\slash']],
    ['echo "keep \\n as is"', ['echo', 'keep \\n as is']],
    ['echo a"b c"d', ['echo', 'ab cd']],
    ["echo ''", ['echo', '']],
    ['echo ""', ['echo', '']],
    ['echo one\\ word', ['echo', 'one word']],
    ['echo \\$HOME', ['echo', '$HOME']],
    ["echo 'it'\\''s'", ['echo', "it's"]],
    ['echo "a=b" x=y', ['echo', 'a=b', 'x=y']],
    ['echo costs 5$', ['echo', 'costs', '5$']],
    ['line\none', ['line', 'one']],
    ['tab\tsep', ['tab', 'sep']],
    ['echo "multi\nline"', ['echo', 'multi\nline']],
    ['echo price$', ['echo', 'price$']],
    ['echo 100%', ['echo', '100%']],
    ['["bin/rails", "db:migrate"]', ['bin/rails', 'db:migrate']],
    ['["sh", "-c", "echo $HOME | cat"]', ['sh', '-c', 'echo $HOME | cat']],
    ['[ "spaced" ]', ['spaced']],
  ])('%p', (text, words) => {
    expect(splitCommand(text, WHERE)).toEqual(words);
  });

  test.each<[string, string]>([
    ['echo "open', 'unterminated " quote'],
    ["echo 'open", "unterminated ' quote at character 6"],
    ['echo \\', 'ends with a lone backslash'],
    ['ls | wc', "shell operator '|'"],
    ['migrate && serve', "shell operator '&'"],
    ['a; b', "shell operator ';'"],
    ['echo > /tmp/x', "shell operator '>'"],
    ['echo `date`', "shell operator '`'"],
    ['echo $HOME', 'contains a $ expansion at character 6'],
    ['echo $(date)', 'a $ expansion'],
    ['echo costs $5', 'contains a $ expansion at character 12'],
    ['echo "${HOME}"', 'has a $ expansion inside "..." at character 7, which a shell would expand'],
    ['echo "`id`"', 'has a ` command substitution inside "..."'],
    ['', 'is empty'],
    ['   ', 'is empty'],
    ['[]', 'is an empty array'],
    ['["a", 1]', 'must be a JSON array of strings'],
    ['[nope', 'looks like a JSON array but is not valid JSON'],
  ])('rejects %p', (text, message) => {
    expect(() => splitCommand(text, WHERE)).toThrow(`${WHERE}: `);
    expect(() => splitCommand(text, WHERE)).toThrow(message);
  });

  test('never repeats a piece of the command (it may hold a secret)', () => {
    for (const text of ['run --token=$Xs3cr3tv4lue', 'run "x$Ys3cr3tv4lue"', 'run | s3cr3tv4lue', '[s3cr3tv4lue']) {
      expect(() => splitCommand(text, WHERE)).toThrow(WHERE);
      expect(() => splitCommand(text, WHERE)).not.toThrow(/s3cr3t|\$X|\$Y/);
    }
  });
});
