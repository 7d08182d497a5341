import { compareMethods, methodDisplayOrder, methodInfo, noteMethods } from './names.js';

describe('method names from the records', () => {
  it('shows a method by the title its records carry, weakly-supervised first in paper order, new ones after', () => {
    const rec = (method: string, title: string, paperKey: string | null, fully = false) => ({
      method,
      methodInfo: {
        id: method,
        title,
        paperKey,
        group: fully ? ('fully-supervised' as const) : ('weakly-supervised' as const),
      },
    });
    noteMethods([
      rec('unet', 'U-Net', 'U-Net (Ronneberger et al., 2015)', true),
      rec('score-cam', 'Score-CAM', null),
      rec('negev', 'NEGEV', 'NEGEV (ours)'),
      rec('cam', 'CAM', 'CAM (Zhou et al., 2016)'),
    ]);
    expect(['unet', 'score-cam', 'negev', 'cam'].sort(compareMethods)).toEqual(['cam', 'negev', 'score-cam', 'unet']);
    expect(methodInfo('score-cam')).toMatchObject({ display: 'Score-CAM', paperKey: '', group: 'weakly-supervised' });
    expect(methodInfo('unet').group).toBe('fully-supervised');
    expect(methodDisplayOrder()).toEqual(['CAM', 'NEGEV', 'Score-CAM', 'U-Net']);
  });

  it('shows the id of a method no record describes', () => {
    expect(methodInfo('never-seen')).toMatchObject({ display: 'never-seen', paperKey: '' });
  });
});
