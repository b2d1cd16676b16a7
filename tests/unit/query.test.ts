// Unit tests of query building: the question's terms, synonym expansion and follow-up questions.

import { describe, expect, it } from 'vitest';
import { buildQuery, DEFAULT_QUERY_OPTIONS, isFollowUp } from '../../server/core/query.ts';
import { termOf } from '../../server/core/terms.ts';

const term = (word: string) => termOf(word) ?? '';
const SYNONYMS: Record<string, string[]> = { countries: ['state', 'nation'], happen: ['occur', 'take place'] };
const synonyms = (word: string) => SYNONYMS[word] ?? [];

describe('buildQuery', () => {
  it('takes the question\'s own terms at weight 1', () => {
    const query = buildQuery('Where does cooperation between countries happen?');
    expect(query.baseTerms).toEqual([term('cooperation'), term('countries'), term('happen')].map((t) => ({ term: t, weight: 1 })));
    expect(query.synonymTerms).toEqual([]);
    expect(query.text).toBe('Where does cooperation between countries happen?');
    expect(query.ownTerms).toEqual([term('cooperation'), term('countries'), term('happen')]);
    expect(query.context).toBeNull();
    expect(query.understoodAs).toBe('Where does cooperation between countries happen?');
    expect(query.isFollowUp).toBe(false);
  });

  it('lists each own term once, in order', () => {
    expect(buildQuery('Migrants, migrants and their migration').ownTerms).toEqual([...new Set([term('migrants'), term('migration')])]);
  });

  it('adds synonyms at a lower weight, tied to the term they stand in for; a phrase shares its weight', () => {
    const query = buildQuery('Where does cooperation between countries happen?', { synonyms, options: { synonymWeight: 0.5 } });
    expect(query.synonymTerms).toEqual(
      expect.arrayContaining([
        { term: term('state'), weight: 0.5, of: term('countries') },
        { term: term('nation'), weight: 0.5, of: term('countries') },
        { term: term('occur'), weight: 0.5, of: term('happen') },
        { term: term('take'), weight: 0.25, of: term('happen') },
        { term: term('place'), weight: 0.25, of: term('happen') },
      ]),
    );
  });

  it('never adds a synonym that is already a term of the question', () => {
    const query = buildQuery('countries and nation', { synonyms });
    expect(query.synonymTerms.map((t) => t.term)).not.toContain(term('nation'));
  });

  it('reads a short follow-up in the context of the previous question', () => {
    const query = buildQuery('and what about children?', { history: ['How can the protection of migrants be ensured?'] });
    expect(query.isFollowUp).toBe(true);
    expect(query.text).toBe('and what about children?');
    expect(query.context).toBe('How can the protection of migrants be ensured?');
    expect(query.understoodAs).toBe('How can the protection of migrants be ensured? and what about children?');
    expect(query.ownTerms).toEqual([term('children')]);
    expect(query.baseTerms).toEqual(
      expect.arrayContaining([
        { term: term('children'), weight: 1 },
        { term: term('protection'), weight: 0.25 },
        { term: term('migrants'), weight: 0.25 },
      ]),
    );
  });

  it('weighs carried-over terms by contextWeight, 0.25 by default; a term the follow-up repeats stays at 1', () => {
    expect(DEFAULT_QUERY_OPTIONS.contextWeight).toBe(0.25);
    const history = ['How can the protection of migrants be ensured?'];
    const query = buildQuery('and the protection of children?', { history, options: { contextWeight: 0.4 } });
    expect(query.baseTerms).toEqual([
      { term: term('protection'), weight: 1 },
      { term: term('children'), weight: 1 },
      { term: term('migrants'), weight: 0.4 },
      { term: term('ensured'), weight: 0.4 },
    ]);
  });

  it('follows the last question of the history only', () => {
    const query = buildQuery('what about children?', { history: ['Is forced labour rising?', 'How can the protection of migrants be ensured?'] });
    expect(query.context).toBe('How can the protection of migrants be ensured?');
    expect(query.baseTerms.map((t) => t.term)).not.toContain(term('forced'));
  });

  it('takes synonyms of the follow-up\'s own words only', () => {
    const query = buildQuery('and what about countries?', { history: ['When does migration happen?'], synonyms });
    expect(query.synonymTerms.map((t) => t.of)).toEqual(expect.arrayContaining([term('countries')]));
    expect(query.synonymTerms.map((t) => t.of)).not.toContain(term('happen'));
  });
});

describe('isFollowUp', () => {
  const history = ['What did IOM say about forced labour?'];
  it.each(['and what about children?', 'What about them?', 'And in cities?', 'Also women?', 'children?'])('treats %j as a follow-up', (question) => {
    expect(isFollowUp(question, history)).toBe(true);
  });

  it.each([
    'How can the dignity of migrants be guaranteed through cooperation based on trust?',
    'Who has a part to play in this work of migration governance and policy?',
  ])('treats the full question %j as standalone', (question) => {
    expect(isFollowUp(question, history)).toBe(false);
  });

  it('is never a follow-up without history', () => {
    expect(isFollowUp('and what about children?', [])).toBe(false);
  });
});
