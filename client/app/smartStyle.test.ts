import { describe, expect, test } from 'vitest';
import { smartStyleToCss } from './smartStyle';

describe('smartStyleToCss', () => {
  test('the SMART style properties become CSS variables', () => {
    expect(
      smartStyleToCss({
        color_background: '#edeae3',
        color_error: '#9e2d2d',
        color_highlight: '#69b5ce',
        color_modal_backdrop: '',
        color_success: '#498e49',
        color_text: '#303030',
        dim_border_radius: '6px',
        dim_font_size: '13px',
        dim_spacing_size: '20px',
        font_family_body: "Georgia, Times, 'Times New Roman', serif",
        font_family_heading: "'HelveticaNeue-Light', Helvetica, Arial, 'Lucida Grande', sans-serif",
      }),
    ).toEqual({
      '--ct-bg': '#edeae3',
      '--ct-error': '#9e2d2d',
      '--ct-accent': '#69b5ce',
      '--ct-success': '#498e49',
      '--ct-text': '#303030',
      '--ct-radius': '6px',
      '--ct-font-size': '13px',
      '--ct-space': '20px',
      '--ct-font': "Georgia, Times, 'Times New Roman', serif",
      '--ct-font-heading': "'HelveticaNeue-Light', Helvetica, Arial, 'Lucida Grande', sans-serif",
    });
  });

  test.each([
    [{ color_text: 'red; background: url(https://evil.example)' }],
    [{ dim_font_size: 'calc(100vw)' }],
    [{ font_family_body: 'x}body{display:none' }],
    [{ unknown_thing: '#fff' }],
    ['not an object'],
    [null],
  ])('unsafe or unknown values are ignored: %j', (style) => {
    expect(smartStyleToCss(style)).toEqual({});
  });
});
