import { describe, expect, it } from 'vitest';
import { explainProblem, fileLines, importErrorRows } from './csvImport.js';

const file = '\uFEFFname,email,region\r\nAna,ana@example.org,eu\r\nBob,not-an-email,mars\r\nCid,ana@example.org,us\r\n';

describe('contact import errors', () => {
  it('splits a file into the lines an editor shows, without the byte-order mark', () => {
    expect(fileLines(file).slice(0, 2)).toEqual(['name,email,region', 'Ana,ana@example.org,eu']);
    expect(fileLines('a\rb\nc')).toEqual(['a', 'b', 'c']);
  });

  it('lists each rejected row by line with its text and problems in column order', () => {
    const result = {
      created: 1,
      updated: 0,
      rejected: 2,
      errors: [
        { line: 4, fields: { email: 'appears already on line 2' }, codes: { email: { code: 'duplicate_line', line: 2 } } },
        { line: 3, fields: { region: 'must be eu, us or other', email: 'must be an email address' } },
      ],
    };
    expect(importErrorRows(result, file)).toEqual([
      {
        line: 3,
        raw: 'Bob,not-an-email,mars',
        problems: [
          { field: 'email', key: 'import.problem.email' },
          { field: 'region', key: 'import.problem.region' },
        ],
      },
      { line: 4, raw: 'Cid,ana@example.org,us', problems: [{ field: 'email', key: 'import.problem.duplicate', vars: { line: '2' } }] },
    ]);
  });

  it('keeps unknown messages as the server wrote them, and copes with lines past the end', () => {
    expect(explainProblem('name', 'must be at most 200 characters')).toEqual({ text: 'must be at most 200 characters' });
    expect(explainProblem('name', 'must be at most 200 characters', { code: 'too_long', max: 200 })).toEqual({ text: 'Use at most 200 characters.' });
    expect(explainProblem('name', 'is required', { code: 'required' })).toEqual({ key: 'import.problem.required' });
    expect(explainProblem('row', 'is not valid CSV')).toEqual({ key: 'import.problem.csv' });
    expect(importErrorRows({ errors: [{ line: 99, fields: { row: 'is not valid CSV' } }] }, file)[0].raw).toBe('');
    expect(importErrorRows({}, file)).toEqual([]);
  });
});
