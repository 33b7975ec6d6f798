import { describe, expect, it } from 'vitest';
import { alignTabs } from '../../src/render/tab-writer.js';

/** Go's text/tabwriter as oc's describers set it up (0, 8, 1, '\t', 0), its tabs shown as a terminal shows them. */
describe('alignTabs', () => {
  it('pads a column to its widest cell plus one, rounded up to a multiple of 8', () => {
    expect(alignTabs('Name:\tdemo\nImage Repository:\tx\n')).toBe(
      'Name:                   demo\nImage Repository:       x\n',
    );
    expect(alignTabs('Name:\tdemo\nUnique Images:\t3\n')).toBe('Name:           demo\nUnique Images:  3\n');
  });

  it('takes a cell of exactly 8 characters to the next stop', () => {
    expect(alignTabs('Imported:\tx\n')).toBe('Imported:       x\n');
    expect(alignTabs('1234567\tx\n')).toBe('1234567 x\n');
    expect(alignTabs('12345678\tx\n')).toBe('12345678        x\n');
  });

  it('aligns a column only over consecutive lines that have a cell in it', () => {
    const text = ['A:\t1', 'Longer label:\t2', 'no tab here', 'B:\t3', '', 'Much longer label:\t4'].join('\n');
    expect(alignTabs(text)).toBe(
      ['A:              1', 'Longer label:   2', 'no tab here', 'B:      3', '', 'Much longer label:      4'].join(
        '\n',
      ),
    );
  });

  it('aligns a second column within the block of the first, as the Manifests lines of the page', () => {
    const text = [
      'Arch:\t<none>',
      'Manifests:\tlinux/amd64\tsha256:aa',
      '\tlinux/ppc64le\tsha256:bb',
      'Command:\t<none>',
    ].join('\n');
    expect(alignTabs(text)).toBe(
      [
        'Arch:           <none>',
        'Manifests:      linux/amd64     sha256:aa',
        '                linux/ppc64le   sha256:bb',
        'Command:        <none>',
      ].join('\n'),
    );
  });

  it('never pads the text after the last tab, and counts characters, not bytes', () => {
    expect(alignTabs('é:\tx \n')).toBe('é:      x \n');
    expect(alignTabs('plain\n')).toBe('plain\n');
  });
});
