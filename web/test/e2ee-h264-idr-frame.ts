// A real H.264 keyframe as Chromium 156 (OpenH264, 640x480) sent it:
// SPS, PPS and one IDR slice in Annex B form, rebuilt from the STAP-A and
// FU-A packets of a capture on this machine (3388 bytes; ffprobe decodes it
// to a 640x480 I picture).
export const H264_IDR_FRAME_BASE64 = [
  'AAAAAWdCwB+MjUBQHtNQYGBgeEQjUAAAAAFozjyAAAAAAWW4AAQAAAU4jFAAEDuOAAID8cAAQH5Nf4f+H78mKycnJycnJycnJycn',
  'JycnJycnJycnJycnJycnJycnJycnJ/4f+H4oABzycmLrVYusW111111111111111111111111111111111111i61/8f4IL94tFwF',
  '9VUuv//hwp4AiP5nDnHzxBzo0Q1ZNXv45zRg/uAGoKTIH0gQ5fY6KM4wIQk/XQEO01d87gADvV+nRvZTXwF/cTWjf+66qSSWrwfw',
  'kOqiZP3y9VlEVeuR8vf47AECRAjqcxtTf/wA3siErhftQ0UcNGX7QaLMxq4T7XzdFiRk+1/xOYNh7wA1BSZA+kCHIARH8zhzj54s',
  'dFGcYEISfrrwADvV+nRgIdpq753Mpr4C/uAc6NENWTV6uqkklq9/hhIdVEyfvl7/T//f81o3/vgBqCkyB9IEOQAiP5nDnHzxY6KM',
  '4wIQk/XVWURV65Hy9/wc6NENWTV6neTMSOur3/E56f+/gAHer9OjAQ7TV3zuZTXwF/cfmtG/94YSHVRMn75e/VlEVeuR8vf//zN4',
  'cZ4AiP5nDnHzwAE8yISuFIXaDAOZ42Zf/UB1z70uNPtpErvn+DnRohqyavf+Oc0YP7gBqCkyB9IEOX2OijOMCEJP10BDtNXfO4AA',
  '71fp0b2U18Bf3E1o3/uuqkklq8H8JDqomT98vVZRFXrkfL3/+P7B38ARH8zhzj54ADUFJkD6QIcvsdFGcYEISfroCHaau+d3g50a',
  'Iasmr366qSSWrwf5zT/5xcAA71fp0b2U18Bf3E1o3/sJDqomT98vVZRFXrkfL3/4ATzIhK4UhdqB1z70uN+5uZGAeCaAEszhI6ou',
  '0B/Ua0nG//gHydrPE7K7651aLXBgHM8bMv/q+30v5U3/fEA//w94Dh+UDA2KlIXgBqCkyB9IEOQATrToyN93++F97Gk8GUW8AA71',
  'fp0bV2tXad3+05e1bqb//KErYSgODt5ZiR11eBXHfZrPX/cMUxWKs3wFbN8k3PrFE3Dd3YR+7p8MGAEv+a0b/3wA1BSZA+kCHIAN',
  'wxF6hxg4c3C+9jSeDKNVZRFXrs+XvDlCKXkUMEMVKYDt5ZiR11et477NZ6/7xOemjAGF/AAO9X6dG1drV2mu/2nL2rdTf//5rRv/',
  'eGORWKszwDbf8r5Yom4au7CP3BOURV67Pl7w/+GAYYUwBC0gRzmrV/gBNosasirtRwhweFUi/wAk0ZjRghK7XhrZiR1S7z4QOlqL',
  'OwJTRJnqs51hHV3dfaa0b/2uuuuuuuuuuuuuuv8P4ByPB9j6xWu+uv/p8+FPABWc/f+b3/B9qc00P/1/p2wGXvgprVKpG9//gBGU',
  '3y7X8AyaaAia4463eranf//sCn2ucmT7/4alR221iw3w//4H4VwOEHOQcBJY8Yid1/+ieeAYXwAVnP3/m9/gprVKpG9//gAZfpgZ',
  'fOYYD7U5pof/q3eranf//v/Ap9rnJk+w1Ug7aEUW99f/bonnhfpXTkn7//v4AKzn7/ze/wU1qlUje/wfg+1OMjQ//Wu9W1TW////',
  '+0Cw9/wAMv0wN/OYZ0rpyT9//3wGfmudOcNRUds2WLBhg/oH0mGfGeACs5+/83v8DhBzkACSx4xE7r/wfanGRof/r/TtgEvfBTWq',
  'VUb3/+AEZTfLtfwDJpoCJrjjtd6tqmt//gU+1zpz7/4alR221iw3w/ppnwDfDABWc/f+b3/gprVKqN7/+D7U4yND/9f13q2qa3/+',
  'BT7XOnPv/tpkXgEXwAjKb5dr+AZNNARNccdw1KjttrFgw8DhBzkHv/PwDCsBJY8Yid1/wAnmRCVwpC7X//9Qn4VwBVZmNe/PhgHM',
  '8bMv/q/81hOBrB37ifdgfvPeuV+yn2Hy+TdfS+slkJEjcVp/Pd7bfKblLo0Q1ZNXgAm0RDVgpC7QeDq6/oHP+V2lhqr2+WKnbXi5',
  '+s/+01D9YRUB+dbStf8HXVSUrV7xPuwP3nvXK/ZT7DACbRENWCkLtB4Orr+gc/4nDa5fxPl8m6+k+slkJEjcVZ/Pd7bfKblLo0Q1',
  'ZNXgH51tK1/wddVJStXvldpYaq9vkhp/Vj4ev8fgAIyIjMiMyIzMv//AAt1Ugalxcc/9LAL54RkHdvXZt3myIrafI3/wD9SlaZt6',
  'VB1UbJXfLzuyAQXmzeu1/fQNu6osNfDATjrTPy/vvvvvvvvvvvvvvvrrrrrrrrvrrvvvvvrvvvvrrrrrrrrrrrrrrrrrrrrrrrrr',
  'rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr',
  'rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr',
  'rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr',
  'rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr',
  'rrrrrrrrrrrrrrr/4fljMAFrNOyE4qn7oOdGGrqIVq9wAM22+U3AAPn/BeQoUxu8Hv3/9/v//x+PAJjGliAmGlhwmGl/hwmGlhwm',
  'Gl//v3333348Pw+CDAB3skY0ZdXvrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrjsABJtJNtpJtf/8AD5z1UKlH+bQANpfhPqyksW3Pr+',
  'gAL0v4KFKQ/MYEwykwHKLd/u/8gw6666666//tD4TwAmKq6dMr5e/AHkjNQdBwSitTF11111111111111111111111111111/yYO',
  'BYRkADNtvlNzJqe+30pHZqfPocAHLjZCV01ehOURgt7ZD5e37/+/3//4cv66666647AATSbaSTbSf//AA11U0Hbgj7t9v8JwHCcZ',
  'aZ4BI75U33+zxg1VPf7+HXXXXXXXXXXXXXXXXXXXXXXXXXXXXX//8IIcANQYiZQ5A4cwAGbbfKbnffbDvvDGMmD3/w9ABazTshOK',
  'p+4YgDlFu/3f+Xrrrrrrr/tD2wjMKucuoR/6YALcTXGNhFv3B8ANg1V6BiRw5gd85dU7/y8Hl/XXXXXXXXXXXXXXXXXXXXXXXXXX',
  'XXX+0soYBE+ADlxshK6avMR2a0+eAzx7ha0qI2H5+gAWs07ITiqfuDfXXXXXX//94IcAD9VYetIENbvAAtxNcY2EW/c/3/fmRD//',
  'CcADC8lb0s+NUB//96JOfzJPq2DB/11111111111111111111111111111//8Gwp4AHz/gvIUKY3eAAzbb5Tc777ZBe8hFDdIv+d',
  '+7By/4B8PQfSlG2x/+vDrrrrrr///ghwAW2VaGonL3YAD9VIO2hEGvfQAAP3IFk+/icAFzdWHSEKfmABc3Vh0hCn5swVKsdf7z41',
  'QH//3DDxjVYf//uB/e66666666666666666666666666666/gQddYreADlxshK6avQQom4gDd4DP3Av8HrNLZZN958FeLty899r/',
  'AEC3/Z2an/1/BBwG1yv2U+DXXXXHYACaTbSSbaT//4AHPknXhhKd/93fxngBsFb1DYSIcoALbKtDUTl7sFWP1UOPfMMHeP1VPvaB',
  '/5OD8f8PQAMLyVvS2zTdtS37swVKs8/vBvrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrvxXA//hKGELB+24AQqQettXdOzdSzIad//+Y',
  'P/9f+EvwAMfmucnNXa1dprv93ssAB1yvbKPuK//w9wwAxXJptdr/H/h/gBNosasirtf/d/+EuAExOt6ZFc6/AHkyR1AnXtxvv/+E',
  'oDhOMuWAQZ3Kbv27/GDVU/v/Q/r99dddddddddddddddddddddddddddddddddddddd9dddddddddddddddddddddddddddddddd',
  'dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd',
  'dddf/x/ggigAFPebP+PDyLrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr//4hghigACAh7//HwLCvgAt0UZxgQhJ+ugAW6KM4wIQk/',
  'XXh1i61WTrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr//7kUZ4ALdFGcYEISfrrgAt0UZxgQhJ+ugAW6KM4wIQk/XT/f9+B/kRF',
  'y/w9ABboozjAhCT9dBh1qtVk6666666666666666666666666666666666/w/lHCngAt0UZxgQhJ+ugBA0v4D/XYYCcdaZ/IiD/+',
  'HoAgaX8B/rsDP72sXg==',
].join('');

export function realIdrFrame(): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(H264_IDR_FRAME_BASE64), (c) => c.charCodeAt(0));
}

/** Offsets of every 3-byte start-code prefix 0x000001 in `data`. */
export function startCodes(data: Uint8Array): number[] {
  const at: number[] = [];
  for (let i = 0; i + 2 < data.length; i++) if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) at.push(i);
  return at;
}
