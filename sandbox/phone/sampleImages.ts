/**
 * Pictures a simulated patient can attach to a text (MMS): small PNGs drawn here at start-up, so the sandbox ships
 * no binary files and needs no network. They stand for what patients really send: a photo of a rash, a pill bottle,
 * an insurance card.
 */
import { deflateSync } from 'node:zlib';

export interface SampleImage {
  name: string;
  label: string;
  contentType: 'image/png';
  bytes: Buffer;
}

type Rgb = readonly [number, number, number];
type Painter = (x: number, y: number) => Rgb;

const WIDTH = 240;
const HEIGHT = 180;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** Encodes a picture painted pixel by pixel as an 8-bit RGB PNG (https://www.w3.org/TR/png/). */
export function encodePng(width: number, height: number, paint: Painter): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y += 1) {
    const row = y * (width * 3 + 1);
    raw[row] = 0;
    for (let x = 0; x < width; x += 1) {
      const [r, g, b] = paint(x, y);
      raw.set([r, g, b], row + 1 + x * 3);
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const inEllipse = (x: number, y: number, cx: number, cy: number, rx: number, ry: number): boolean =>
  ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;

const rash: Painter = (x, y) => {
  const spots: Array<[number, number, number]> = [
    [90, 80, 18],
    [130, 95, 24],
    [110, 120, 14],
    [155, 70, 12],
    [75, 110, 10],
  ];
  if (spots.some(([cx, cy, r]) => inEllipse(x, y, cx, cy, r, r * 0.8))) return [201, 84, 84];
  if (spots.some(([cx, cy, r]) => inEllipse(x, y, cx, cy, r + 6, (r + 6) * 0.8))) return [222, 150, 132];
  return [236, 196, 164];
};

const pillBottle: Painter = (x, y) => {
  if (x >= 85 && x < 155 && y >= 25 && y < 50) return [245, 245, 245];
  if (x >= 80 && x < 160 && y >= 50 && y < 160) {
    if (x >= 92 && x < 148 && y >= 80 && y < 130) return y % 12 < 3 && y > 90 ? [120, 120, 120] : [255, 255, 255];
    return [222, 120, 40];
  }
  return [226, 232, 240];
};

const insuranceCard: Painter = (x, y) => {
  const inCard = x >= 20 && x < 220 && y >= 30 && y < 150;
  if (!inCard) return [214, 220, 228];
  if (y < 60) return [37, 99, 165];
  if (x >= 35 && x < 75 && y >= 75 && y < 105) return [230, 190, 80];
  if (x >= 90 && x < 200 && (y === 80 || y === 81 || y === 95 || y === 96 || y === 110 || y === 111))
    return [90, 98, 110];
  return [250, 250, 252];
};

/** The bundled sample pictures, by name. */
export function createSampleImages(): ReadonlyMap<string, SampleImage> {
  const samples: Array<[string, string, Painter]> = [
    ['rash.png', 'Photo of a rash', rash],
    ['pill-bottle.png', 'Photo of a pill bottle', pillBottle],
    ['insurance-card.png', 'Photo of an insurance card', insuranceCard],
  ];
  return new Map(
    samples.map(([name, label, paint]) => [
      name,
      { name, label, contentType: 'image/png', bytes: encodePng(WIDTH, HEIGHT, paint) },
    ]),
  );
}
