// `az container create --command-line` splits its value like a POSIX shell (Python's shlex):
// single quotes keep everything, double quotes keep everything but `\"`, `\\`, `\$` and `` \` ``,
// and a backslash outside quotes escapes the next character. No expansion happens.

import { CreateFlagError } from "./errors.js";

export function splitShellWords(line: string, flag = "--command-line"): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end === -1)
        throw new CreateFlagError(flag, `a single quote is not closed in ${JSON.stringify(line)}`);
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      i++;
      for (;;) {
        if (i >= line.length)
          throw new CreateFlagError(flag, `a double quote is not closed in ${JSON.stringify(line)}`);
        const c = line[i]!;
        if (c === '"') break;
        if (c === "\\" && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1]!)) {
          if (line[i + 1] !== "\n") word += line[i + 1];
          i += 2;
        } else {
          word += c;
          i++;
        }
      }
      inWord = true;
      i++;
    } else if (ch === "\\") {
      if (i + 1 >= line.length)
        throw new CreateFlagError(flag, `a trailing backslash escapes nothing in ${JSON.stringify(line)}`);
      if (line[i + 1] !== "\n") word += line[i + 1];
      inWord = true;
      i += 2;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      i++;
    } else {
      word += ch;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}
