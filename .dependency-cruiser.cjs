/**
 * The house's import rules (docs/architecture.md): the pipeline transport → codecs → ingest → store
 * → detectors → alerting → channels/API reads in one direction, every part leans on contracts/ and
 * core/, and the parts around the gateway (models, rules, simulators, pages) touch it only where
 * the layout says. `npm run depcheck` (run by `npm test`) fails on any import these forbid that is
 * not in .dependency-cruiser-known-violations.json, the debt recorded when the check was added.
 */
const SRC = '^gateway/src/';
const stage = (name) => `${SRC}${name}/`;

/** A stage may not import the stages after it, nor the API. */
const LATER_THAN_CODECS = [
  'ingest',
  'store',
  'detectors',
  'alerting',
  'channels',
  'api',
  'privacy',
  'street-link',
];
const downstream = {
  transport: ['codecs', ...LATER_THAN_CODECS],
  codecs: ['transport', ...LATER_THAN_CODECS],
  store: ['ingest', 'detectors', 'alerting', 'channels', 'api', 'street-link'],
  ingest: ['detectors', 'alerting', 'channels', 'api', 'street-link'],
  detectors: ['alerting', 'channels', 'api', 'street-link'],
  alerting: ['channels', 'api', 'street-link'],
  channels: ['api', 'street-link'],
  devices: ['alerting', 'channels', 'api'],
  privacy: ['channels', 'api'],
  ui: ['api'],
};

/**
 * Code outside the gateway that may take only its bottom parts: contracts/ (wire types) and
 * site/ (the site file: schema, loader, index), plus the `extra` folders named.
 */
const gatewayBottomOnly = (name, from, comment, extra = []) => ({
  name,
  severity: 'error',
  comment,
  from: { path: from },
  to: { path: SRC, pathNot: [stage('contracts'), stage('site'), ...extra] },
});
/** Code outside the gateway that may take only its contracts. */
const contractsOnly = (name, from, comment) => ({
  name,
  severity: 'error',
  comment,
  from: { path: from },
  to: { path: SRC, pathNot: stage('contracts') },
});

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'A cycle makes two files one unit that neither owns.',
      from: { path: '^(gateway|models|rules|simulators|scripts|field)/' },
      to: { circular: true },
    },
    {
      name: 'contracts-import-nothing',
      severity: 'error',
      comment: 'Wire types and schemas stand alone: every part may import them.',
      from: { path: stage('contracts') },
      to: { path: '^(gateway|models|rules|simulators|dashboards)/', pathNot: stage('contracts') },
    },
    {
      name: 'site-is-a-bottom-part',
      severity: 'error',
      comment:
        'The site file library is shared by the gateway and the tools around it: it leans on contracts/ and core/ only.',
      from: { path: stage('site') },
      to: {
        path: '^(gateway|models|rules|simulators|dashboards|scripts)/',
        pathNot: [stage('contracts'), stage('core'), stage('site')],
      },
    },
    {
      name: 'core-imports-contracts-only',
      severity: 'error',
      from: { path: stage('core') },
      to: {
        path: '^(gateway|models|rules|simulators|dashboards)/',
        pathNot: [stage('contracts'), stage('core')],
      },
    },
    ...Object.entries(downstream).map(([from, to]) => ({
      name: `${from}-not-downstream`,
      severity: 'error',
      comment: `${from} runs before ${to.join(', ')}: it may not import them (HTTP lives only in api/).`,
      from: { path: stage(from) },
      to: { path: `${SRC}(${to.join('|')})/` },
    })),
    {
      name: 'http-only-in-api',
      severity: 'error',
      comment:
        "Routes live in api/routes/ over each stage's facade; only the composition roots also hold the app.",
      from: {
        path: SRC,
        pathNot: [stage('api'), `${SRC}gateway\\.ts$`, `${SRC}hub/hub\\.ts$`],
      },
      to: { path: 'node_modules/(fastify|@fastify/|fastify-plugin)' },
    },
    {
      name: 'gateway-not-into-training-or-tools',
      severity: 'error',
      comment:
        'The gateway loads models through their predict.ts; training, simulators and tools stay outside.',
      from: { path: SRC },
      to: { path: ['^models/[^/]+/train', '^simulators/', '^field/', '^scripts/', '^test/'] },
    },
    gatewayBottomOnly(
      'models-not-into-gateway',
      '^models/',
      'Models import contracts, the site library and the pure codecs (training data is read as the gateway reads it); ' +
        'what the gateway and training share (the tfjs backend selector, model folders) lives in models/lib.',
      [stage('codecs')],
    ),
    gatewayBottomOnly(
      'simulators-contracts-only',
      '^simulators/',
      'Simulators publish what devices send: contracts and the site file only; they must not echo the codecs or drive the gateway (the demo that starts one is in scripts/).',
    ),
    gatewayBottomOnly(
      'rules-tools-over-public-api',
      '^rules/',
      'The rules CLI works over the rules public API (detectors/rules/public-api.ts), never the engine internals.',
      ['^gateway/src/detectors/rules/public-api[.]ts$'],
    ),
    {
      name: 'independent-generator-stays-independent',
      severity: 'error',
      comment: 'field/ is the independent check of the detectors: it never reads simulators/ or models/.',
      from: { path: '^field/' },
      to: { path: ['^simulators/', '^models/', stage('detectors')] },
    },
    contractsOnly('operators-contracts-only', '^rules/operators/', 'Rule operators are pure functions.'),
    contractsOnly(
      'pages-speak-the-public-api',
      '^dashboards/',
      'The pages use /api and the WebSocket; from the gateway they may import contract types only.',
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dashboards/dist/', '^coverage/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
