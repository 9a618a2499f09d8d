import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  buildRobotRequest,
  robotAccepted,
  type Notice,
} from '../../../gateway/src/channels/robot-formats.ts';

const notice: Notice = {
  title: '【紧急】3号非机动车棚火警',
  lines: ['状态: 已派单', '派给: 吴处置员(A岗)'],
  severity: 'critical',
  mentionPhones: ['13900000001'],
  mentionWecom: ['wuchuzhi'],
  payload: { id: 'inc_1' },
};
const NOW = 1_795_593_600_123;

describe('group-robot formats', () => {
  it('WeCom: markdown with <@userid> mentions, capped at 4096 bytes', () => {
    const r = buildRobotRequest(
      'wecom',
      'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k',
      null,
      notice,
      NOW,
    );
    expect(r.body).toEqual({
      msgtype: 'markdown',
      markdown: {
        content: '### 【紧急】3号非机动车棚火警\n> 状态: 已派单\n> 派给: 吴处置员(A岗)\n<@wuchuzhi>',
      },
    });
    const long = buildRobotRequest(
      'wecom',
      'https://x/',
      null,
      { ...notice, lines: ['火'.repeat(3000)] },
      NOW,
    );
    expect(
      Buffer.byteLength((long.body as { markdown: { content: string } }).markdown.content),
    ).toBeLessThanOrEqual(4096);
  });

  it('DingTalk: markdown with atMobiles, and 加签 in the URL', () => {
    const r = buildRobotRequest(
      'dingtalk',
      'https://oapi.dingtalk.com/robot/send?access_token=t',
      'SEC1',
      notice,
      NOW,
    );
    const u = new URL(r.url);
    expect(u.searchParams.get('access_token')).toBe('t');
    expect(u.searchParams.get('timestamp')).toBe(String(NOW));
    expect(u.searchParams.get('sign')).toBe(
      createHmac('sha256', 'SEC1').update(`${NOW}\nSEC1`).digest('base64'),
    );
    expect(r.body).toMatchObject({ msgtype: 'markdown', at: { atMobiles: ['13900000001'], isAtAll: false } });
    expect((r.body as { markdown: { text: string } }).markdown.text).toContain('@13900000001');
  });

  it('Feishu: text with timestamp (seconds) and sign in the body', () => {
    const r = buildRobotRequest(
      'feishu',
      'https://open.feishu.cn/open-apis/bot/v2/hook/x',
      'fs',
      notice,
      NOW,
    );
    const ts = Math.floor(NOW / 1000);
    expect(r.body).toEqual({
      msg_type: 'text',
      content: { text: '【紧急】3号非机动车棚火警\n状态: 已派单\n派给: 吴处置员(A岗)' },
      timestamp: String(ts),
      sign: createHmac('sha256', `${ts}\nfs`).update('').digest('base64'),
    });
  });

  it.each<[string, 'wecom' | 'dingtalk' | 'feishu' | 'generic', number, string, boolean]>([
    ['WeCom ok', 'wecom', 200, '{"errcode":0,"errmsg":"ok"}', true],
    ['WeCom rate limit', 'wecom', 200, '{"errcode":45009,"errmsg":"api freq out of limit"}', false],
    ['DingTalk too fast', 'dingtalk', 200, '{"errcode":130101,"errmsg":"send too fast"}', false],
    ['Feishu ok', 'feishu', 200, '{"code":0,"msg":"success"}', true],
    ['Feishu old robot ok', 'feishu', 200, '{"StatusCode":0,"StatusMessage":"success"}', true],
    ['Feishu bad sign', 'feishu', 200, '{"code":19021,"msg":"sign match fail"}', false],
    ['HTML error page', 'wecom', 200, '<html>', false],
    ['HTTP 502', 'dingtalk', 502, '', false],
    ['generic 204', 'generic', 204, '', true],
  ])('%s', (_name, type, status, text, ok) => {
    expect(robotAccepted(type, status, text).ok).toBe(ok);
  });
});
