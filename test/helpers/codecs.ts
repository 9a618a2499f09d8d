/** Decoding through the codec registry for the codec tests: a device of each codec, decode, rejection. */
import { CodecError, type Decoded } from '../../gateway/src/codecs/codec.ts';
import { CodecRegistry } from '../../gateway/src/codecs/registry.ts';
import type { DeviceStream } from '../../gateway/src/contracts/topics.ts';
import type { Device } from '../../gateway/src/contracts/site.ts';

export const registry = new CodecRegistry();
export const devices: Record<string, Device> = {
  meter: { id: 'wm-1', kind: 'water_meter', codec: 'canonical' },
  nbMeter: { id: 'wm-2', kind: 'water_meter', codec: 'sanchuan-nbiot' },
  smoke: { id: 'smoke-1', kind: 'smoke_sensor', codec: 'canonical' },
  ctwing: { id: 'smoke-2', kind: 'smoke_sensor', codec: 'ctwing-smoke' },
  charger: { id: 'chg-1', kind: 'charging_controller', codec: 'canonical' },
  weilai: { id: 'chg-2', kind: 'charging_controller', codec: 'weilai-charger' },
  camera: { id: 'cam-1', kind: 'camera', codec: 'canonical' },
  electricity: { id: 'em-1', kind: 'electricity_meter', codec: 'canonical' },
  door: { id: 'dc-1', kind: 'door_contact', codec: 'canonical' },
  hik: {
    id: 'cam-2',
    kind: 'camera',
    codec: 'hikvision-isapi',
    calibration: {
      homography: [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
      fps: 25,
      frame: { w: 1000, h: 2000 },
    },
  },
};

export function decode(device: Device, stream: DeviceStream, payload: unknown): Decoded {
  const raw = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  const codec = registry.forDevice(device, stream);
  return codec.decode({ topic: `weige/${device.id}/${stream}`, stream, payload: raw, device });
}

export function rejection(
  device: Device,
  stream: DeviceStream,
  payload: unknown,
): { reason: string; message: string } {
  try {
    decode(device, stream, payload);
  } catch (err) {
    if (err instanceof CodecError) return { reason: err.reason, message: err.message };
    throw err;
  }
  throw new Error('expected a CodecError');
}
