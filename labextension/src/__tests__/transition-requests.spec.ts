/**
 * Transition requests on a version's page, against the fake server: asking
 * (with the archive wish only where it applies), approving (the version is
 * read again), a refusal's message kept, comments; the versions list marks
 * versions with pending requests; how activities read.
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals';

import type { IActivity, ITransitionRequest } from '../api/transitionRequests';
import {
  activityText,
  pendingByVersion,
  pendingSummary,
  requestableStages
} from '../registry/requestsLogic';
import { ModelPageState } from '../registry/state';
import { FakeServer, HttpError } from './fakeServer';

const VERSION = {
  name: 'm',
  version: 2,
  creation_timestamp: 1,
  last_updated_timestamp: 1,
  user_id: 'ada',
  current_stage: 'None',
  description: null,
  source: '/s/2',
  run_id: null,
  status: 'READY',
  status_message: null,
  tags: {},
  aliases: []
};

const REQUEST: ITransitionRequest = {
  id: '1',
  name: 'm',
  version: 2,
  to_stage: 'Production',
  user_id: 'bob',
  creation_timestamp: 5,
  comment: 'AUC 0.91',
  state: 'PENDING',
  archive_existing_versions: true,
  available_actions: ['CANCEL_TRANSITION_REQUEST']
};

const activity = (over: Partial<IActivity>): IActivity => ({
  id: 'a',
  name: 'm',
  version: 2,
  activity_type: 'REQUESTED_TRANSITION',
  user_id: 'bob',
  creation_timestamp: 5,
  last_updated_timestamp: 5,
  from_stage: 'None',
  to_stage: 'Production',
  comment: null,
  system_comment: null,
  ...over
});

function server(): FakeServer {
  const version = { ...VERSION };
  let pending: ITransitionRequest[] = [];
  const activities: IActivity[] = [];
  return new FakeServer({
    'registered-models/m': () => ({
      name: 'm',
      creation_timestamp: 1,
      last_updated_timestamp: 1,
      description: null,
      latest_versions: [],
      tags: {},
      aliases: {}
    }),
    'registered-models/m/versions': () => ({
      model_versions: [{ ...version }],
      next_page_token: null
    }),
    'registered-models/m/transition-requests': () => ({ requests: pending }),
    // Copies, as a server's answers are: what the page holds changes only when read again.
    'registered-models/m/versions/2': () => ({ ...version }),
    'registered-models/m/versions/2/activities': () => ({
      activities,
      requests: pending,
      user: 'bob',
      permission: 'READ'
    }),
    'POST registered-models/m/versions/2/transition-requests': call => {
      if (call.body.stage === version.current_stage) {
        throw new HttpError(
          400,
          `Version 2 of 'm' is already in ${version.current_stage}`
        );
      }
      const made = {
        ...REQUEST,
        to_stage: call.body.stage,
        comment: call.body.comment ?? null,
        archive_existing_versions: call.body.archive_existing_versions
      };
      pending = [made];
      activities.push(activity({ to_stage: call.body.stage }));
      return { request: made };
    },
    'POST registered-models/m/versions/2/transition-requests/approve': call => {
      version.current_stage = call.body.stage;
      pending = [];
      activities.push(
        activity({ activity_type: 'APPROVED_REQUEST', user_id: 'ada' })
      );
      return { activity: activities[activities.length - 1] };
    },
    'POST registered-models/m/versions/2/transition-requests/reject': () => {
      throw new HttpError(403, "bob needs EDIT on registered model 'm'.");
    },
    'POST registered-models/m/versions/2/comments': call => {
      activities.push(
        activity({
          id: 'c1',
          activity_type: 'NEW_COMMENT',
          comment: call.body.comment
        })
      );
      return { comment: {} };
    }
  });
}

const flush = () => jest.advanceTimersByTimeAsync(0);

const pageOf = (fake: FakeServer): ModelPageState =>
  new ModelPageState({
    api: fake.api,
    name: 'm',
    baseUrl: 'http://localhost:8888/',
    isVisible: () => true
  });

describe('transition requests on the version page', () => {
  let page: ModelPageState | null = null;
  afterEach(() => {
    page?.dispose();
    page = null;
    jest.useRealTimers();
  });

  it('asks, marks the version in the list, approves and reads the version again', async () => {
    jest.useFakeTimers();
    const fake = server();
    page = pageOf(fake);
    await page.refresh();
    page.openVersion(2);
    await flush();
    const requests = page.shownVersion!.requests;
    expect(requests.pending).toEqual([]);
    expect(requests.activities).toEqual([]);

    // The archive wish is sent only for a stage where it means something.
    expect(await requests.request('Archived', '  ', true)).toBe(true);
    expect(
      fake.callsTo(
        'registered-models/m/versions/2/transition-requests',
        'POST'
      )[0].body
    ).toEqual({ stage: 'Archived', archive_existing_versions: false });
    expect(await requests.request('Production', 'AUC 0.91', true)).toBe(true);
    expect(
      fake.callsTo(
        'registered-models/m/versions/2/transition-requests',
        'POST'
      )[1].body
    ).toEqual({
      stage: 'Production',
      comment: 'AUC 0.91',
      archive_existing_versions: true
    });
    expect(requests.pending.map(r => r.to_stage)).toEqual(['Production']);

    // A refusal keeps the server's message and writes nothing here.
    expect(await requests.settle(requests.pending[0], 'reject', 'no')).toBe(
      false
    );
    expect(requests.actionError).toContain('needs EDIT');
    expect(requests.pending).toHaveLength(1);

    // Back in the list, the version is marked.
    page.openVersion(null);
    await flush();
    expect(page.pendingOf(2).map(r => r.to_stage)).toEqual(['Production']);
    expect(page.pendingOf(1)).toEqual([]);

    page.openVersion(2);
    await flush();
    const again = page.shownVersion!;
    expect(
      await again.requests.settle(
        again.requests.pending[0],
        'approve',
        'ship',
        true
      )
    ).toBe(true);
    expect(
      fake.callsTo(
        'registered-models/m/versions/2/transition-requests/approve',
        'POST'
      )[0].body
    ).toEqual({
      stage: 'Production',
      comment: 'ship',
      archive_existing_versions: true
    });
    await flush();
    expect(again.version?.current_stage).toBe('Production');
    expect(again.requests.actionError).toBeNull();
    expect(again.requests.activities?.map(a => a.activity_type)).toEqual([
      'REQUESTED_TRANSITION',
      'REQUESTED_TRANSITION',
      'APPROVED_REQUEST'
    ]);
  });

  it('adds comments and refuses an empty one without asking the server', async () => {
    jest.useFakeTimers();
    const fake = server();
    page = pageOf(fake);
    page.openVersion(2);
    await flush();
    const requests = page.shownVersion!.requests;
    expect(await requests.comment('   ')).toBe(false);
    expect(requests.actionError).toContain('Write something');
    expect(
      fake.callsTo('registered-models/m/versions/2/comments', 'POST')
    ).toEqual([]);
    expect(await requests.comment('F1 0.8 on May data')).toBe(true);
    expect(requests.activities?.map(a => a.comment)).toEqual([
      'F1 0.8 on May data'
    ]);
  });
});

describe('transition request helpers', () => {
  it('words activities as the activity list shows them', () => {
    expect(activityText(activity({}))).toBe(
      'bob requested a transition from None to Production'
    );
    expect(
      activityText(
        activity({ activity_type: 'REJECTED_REQUEST', user_id: 'ada' })
      )
    ).toBe('ada rejected the request to move to Production');
    expect(
      activityText(
        activity({
          activity_type: 'SYSTEM_TRANSITION',
          from_stage: 'Production',
          to_stage: 'Archived'
        })
      )
    ).toBe('Moved from Production to Archived automatically');
    expect(
      activityText(activity({ activity_type: 'NEW_COMMENT', user_id: null }))
    ).toBe('Someone commented');
  });

  it('offers every stage but the current one and groups pending requests', () => {
    expect(requestableStages('Staging')).toEqual([
      'None',
      'Production',
      'Archived'
    ]);
    const grouped = pendingByVersion([
      REQUEST,
      { ...REQUEST, id: '2', to_stage: 'Staging', user_id: 'cy' },
      { ...REQUEST, id: '3', version: 1 }
    ]);
    expect([...grouped.keys()]).toEqual([2, 1]);
    expect(pendingSummary(grouped.get(2)!)).toBe(
      'Production (bob), Staging (cy)'
    );
  });
});
