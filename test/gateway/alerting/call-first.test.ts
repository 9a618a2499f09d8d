import { afterEach, describe, expect, it } from 'vitest';
import { inactivity, startAlertingGateway, type AlertingTestGateway } from './fixtures.ts';

let gw: AlertingTestGateway;
afterEach(async () => gw?.stop());

const S = 1000;

interface Incident {
  id: string;
  state: string;
  disposition: string | null;
  history: Array<{ type: string; by: string | null; note: string | null; data: Record<string, unknown> }>;
}

const incidentFor = async (household: string): Promise<Incident> => {
  const list = await gw.api<Array<{ id: string; location: { household: string } }>>(
    'GET',
    '/api/incidents?kind=elderly_inactivity',
    { user: 'admin' },
  );
  const id = list.body.find((i) => i.location.household === household)!.id;
  return (await gw.api<Incident>('GET', `/api/incidents/${id}`, { user: 'admin' })).body;
};

const call = (id: string, body: Record<string, unknown>) =>
  gw.api<Incident & { error?: string; message?: string }>('POST', `/api/incidents/${id}/calls`, {
    user: 'mg3-care-a',
    body,
  });

describe('elderly inactivity: call first, visit only if nobody answers', () => {
  it('records each call, closes "answered, fine" as a false alarm, and reports visits and time to safe', async () => {
    gw = await startAlertingGateway();
    // Household 1: the resident does not answer; the daughter does, 5 minutes later: all fine.
    gw.raise(inactivity('B3-1-203'));
    const a = await incidentFor('B3-1-203');
    const noAnswer = await call(a.id, { who: 'resident', outcome: 'no_answer' });
    expect(noAnswer.status).toBe(200);
    // Recording the first call takes the incident: the reminders stop.
    expect(noAnswer.body.state).toBe('accepted');
    gw.clock.advance(300 * S);
    const fine = await call(a.id, { who: 'emergency_contact', outcome: 'answered_fine' });
    expect(fine.body).toMatchObject({ state: 'resolved', disposition: 'answered_fine' });
    expect(
      (await incidentFor('B3-1-203')).history
        .filter((h) => h.type === 'call_recorded')
        .map((h) => [h.by, h.data.who, h.data.outcome]),
    ).toEqual([
      ['mg3-care-a', 'resident', 'no_answer'],
      ['mg3-care-a', 'emergency_contact', 'answered_fine'],
    ]);

    // Household 2: nobody answers; the care worker visits after 20 minutes.
    gw.raise(inactivity('B3-1-303'));
    const b = await incidentFor('B3-1-303');
    await call(b.id, { who: 'resident', outcome: 'no_answer' });
    await call(b.id, { who: 'emergency_contact', outcome: 'no_answer' });
    gw.clock.advance(1200 * S);
    const visited = await call(b.id, {
      who: 'visit',
      outcome: 'visited',
      note: '上门：老人在家午睡，已确认安全',
    });
    expect(visited.body.state).toBe('accepted');
    expect((await incidentFor('B3-1-303')).history.at(-1)).toMatchObject({
      type: 'call_recorded',
      note: '上门：老人在家午睡，已确认安全',
    });

    // A visit is a visit, and only a visit is "visited": said precisely.
    const wrong = await call(b.id, { who: 'visit', outcome: 'answered_fine' });
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(wrong.body)).toContain("'visited' goes with who 'visit'");

    // "Answered, fine" counts against the detector like any false alarm, per household.
    const fa = await gw.api<
      Array<{ key: string; falseAlarms: number; byDisposition: Record<string, number> }>
    >('GET', '/api/stats/false-alarms?by=household', { user: 'admin' });
    expect(fa.body.find((r) => r.key === 'B3-1-203')).toMatchObject({
      falseAlarms: 1,
      byDisposition: { answered_fine: 1 },
    });

    const perHousehold = await gw.api<
      Array<{
        key: string;
        alerts: number;
        answeredFine: number;
        visits: number;
        alertsPerVisit: number | null;
        timeToSafe: { p50S: number | null };
      }>
    >('GET', '/api/stats/inactivity?by=household', { user: 'admin' });
    expect(perHousehold.body).toEqual([
      {
        key: 'B3-1-203',
        alerts: 1,
        answeredFine: 1,
        visits: 0,
        alertsPerVisit: null,
        timeToSafe: expect.objectContaining({ n: 1, p50S: 300 }),
      },
      {
        key: 'B3-1-303',
        alerts: 1,
        answeredFine: 0,
        visits: 1,
        alertsPerVisit: 1,
        timeToSafe: expect.objectContaining({ n: 1, p50S: 1200 }),
      },
    ]);
    const perMonth = await gw.api<
      Array<{ key: string; alerts: number; visits: number; alertsPerVisit: number }>
    >('GET', '/api/stats/inactivity?by=month', { user: 'admin' });
    expect(perMonth.body).toHaveLength(1);
    expect(perMonth.body[0]).toMatchObject({
      key: expect.stringMatching(/^\d{4}-\d{2}$/),
      alerts: 2,
      visits: 1,
      alertsPerVisit: 2,
    });
  });
});
