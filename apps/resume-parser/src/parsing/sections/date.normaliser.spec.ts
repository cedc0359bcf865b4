import { findDateRange, hasDate, normalizeDate } from './date.normaliser';

describe('normalizeDate', () => {
  it.each([
    ['Jan 2020', '2020-01'],
    ['January 2020', '2020-01'],
    ['Sept. 2019', '2019-09'],
    ['2019-03', '2019-03'],
    ['03/2018', '2018-03'],
    ['3/2018', '2018-03'],
    ['03.2018', '2018-03'],
    ['Summer 2016', '2016'],
    ['2017', '2017'],
    ['Present', 'present'],
    ['13/2018', undefined],
    ['hello', undefined],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeDate(input)).toBe(expected);
  });
});

describe('findDateRange', () => {
  it.each([
    ['Jan 2020 – Present', { startDate: '2020-01', current: true }],
    ['2019-03 to 2021-07', { startDate: '2019-03', endDate: '2021-07', current: false }],
    ['03/2018 - 05/2020', { startDate: '2018-03', endDate: '2020-05', current: false }],
    ['2015 – 2019', { startDate: '2015', endDate: '2019', current: false }],
    ['Sep 2013–May 2017', { startDate: '2013-09', endDate: '2017-05', current: false }],
    ['08.2023 to Now', { startDate: '2023-08', current: true }],
    ['Summer 2016', { endDate: '2016', current: false }],
  ])('%s', (input, expected) => {
    expect(findDateRange(input)).toMatchObject(expected);
    if (expected.current) expect(findDateRange(input)?.endDate).toBeUndefined();
  });

  it('returns the text around the dates', () => {
    expect(findDateRange('Data Scientist at Acme (Berlin) 2019 – 2021')?.rest).toBe('Data Scientist at Acme (Berlin)');
  });

  it('finds nothing in plain text', () => {
    expect(findDateRange('Led a team of 12 engineers')).toBeUndefined();
  });
});

describe('findDateRange: years before 1950', () => {
  it.each([
    ['1843 – 1852', { startDate: '1843', endDate: '1852', current: false }],
    ['Curator, Royal Museum 1843–1852', { startDate: '1843', endDate: '1852', rest: 'Curator, Royal Museum' }],
    ['March 1901 – June 1903', { startDate: '1901-03', endDate: '1903-06' }],
    ['1948 - 1952', { startDate: '1948', endDate: '1952' }],
    ['1890 to Present', { startDate: '1890', current: true }],
    ['Born March 1843', { endDate: '1843-03' }],
    ['1880-1890, Leipzig', { startDate: '1880', endDate: '1890', rest: 'Leipzig' }],
  ])('%s', (input, expected) => {
    expect(findDateRange(input)).toMatchObject(expected);
  });

  it.each([
    ['a lone number', 'Catalogued 1843 letters'],
    ['a count range with its unit', 'Engine tuned to 1850–1900 rpm'],
    ['a range of amounts', 'Essays of 1800-2000 words'],
    ['a range backwards', 'Parts 1899 - 1850'],
    ['a model number', 'Model 1911 pistol restoration'],
  ])('reads no date in %s', (_case, input) => {
    expect(findDateRange(input)).toBeUndefined();
    expect(hasDate(input)).toBe(false);
  });

  it('still finds a modern date after an old number', () => {
    expect(findDateRange('Restored 1843 artefacts 2015 – 2019')).toMatchObject({ startDate: '2015', endDate: '2019' });
  });
});
