/**
 * The console's charts, drawn with ECharts (modular import: only bar and line charts and the
 * components used, rendered on canvas). Loaded after the plan and lists so they show first.
 */
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { kindLabel } from '../../lib/format.ts';
import { t } from '../../lib/i18n.ts';
import type { KindSeries, ResponseTimes, WatchEntry } from './chart-data.ts';

echarts.use([
  BarChart,
  LineChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  TitleComponent,
  CanvasRenderer,
]);

/** Colours that keep ≥ 4.5:1 contrast on the console's dark panels. */
const TEXT = '#d7e3ee';
const AXIS = '#5d7186';
const PALETTE = ['#5fb3e6', '#f2b134', '#ef6f6c', '#7bd389', '#c39bd3', '#f49ac2', '#9fd8df', '#e8e288'];

const base = {
  color: PALETTE,
  textStyle: { color: TEXT, fontFamily: 'inherit' },
  grid: { left: 44, right: 16, top: 36, bottom: 28 },
  tooltip: { trigger: 'axis' as const },
  legend: { top: 0, textStyle: { color: TEXT }, type: 'scroll' as const },
  animation: false,
};
const axis = {
  axisLine: { lineStyle: { color: AXIS } },
  axisLabel: { color: TEXT },
  splitLine: { lineStyle: { color: '#22364a' } },
};

/** A centred "no data" note for a chart with nothing to draw (instead of empty axes). */
const emptyNote = (empty: boolean) => ({
  title: {
    show: empty,
    text: t('chart.empty'),
    left: 'center',
    top: 'middle',
    textStyle: { color: TEXT, fontSize: 14, fontWeight: 'normal' as const },
  },
});

export interface ShedSeries {
  name: string;
  points: [number, number][];
}

export class Charts {
  private readonly charts = new Map<string, echarts.ECharts>();

  constructor(
    private readonly containers: Record<'alerts' | 'response' | 'sheds' | 'watchlist', HTMLElement>,
  ) {
    for (const [key, el] of Object.entries(containers))
      this.charts.set(key, echarts.init(el, null, { renderer: 'canvas' }));
    new ResizeObserver(() => this.charts.forEach((c) => c.resize())).observe(
      containers.alerts.parentElement ?? document.body,
    );
  }

  alertsByKind(days: string[], series: KindSeries[]): void {
    this.charts.get('alerts')?.setOption(
      {
        ...base,
        ...emptyNote(series.length === 0),
        xAxis: { type: 'category', data: days.map((d) => d.slice(5)), ...axis },
        yAxis: { type: 'value', minInterval: 1, ...axis },
        series: series.map((s) => ({ type: 'bar', stack: 'kinds', name: kindLabel(s.kind), data: s.counts })),
      },
      true,
    );
    this.containers.alerts.setAttribute(
      'aria-label',
      `${t('chart.alertsByKind')}: ${series.map((s) => `${kindLabel(s.kind)} ${s.counts.reduce((a, b) => a + b, 0)}`).join(', ') || t('chart.empty')}`,
    );
  }

  responseTimes(days: string[], times: ResponseTimes): void {
    this.charts.get('response')?.setOption(
      {
        ...base,
        ...emptyNote(times.acceptMin.every((v) => v === null) && times.resolveMin.every((v) => v === null)),
        xAxis: { type: 'category', data: days.map((d) => d.slice(5)), ...axis },
        yAxis: { type: 'value', name: t('chart.minutes'), nameTextStyle: { color: TEXT }, ...axis },
        series: [
          { type: 'bar', name: t('chart.toAccept'), data: times.acceptMin },
          { type: 'bar', name: t('chart.toResolve'), data: times.resolveMin },
        ],
      },
      true,
    );
  }

  shedTemperatures(series: ShedSeries[]): void {
    this.charts.get('sheds')?.setOption(
      {
        ...base,
        ...emptyNote(series.every((x) => x.points.length === 0)),
        xAxis: { type: 'time', ...axis },
        yAxis: { type: 'value', name: '°C', nameTextStyle: { color: TEXT }, scale: true, ...axis },
        series: series.map((s) => ({
          type: 'line',
          name: s.name,
          data: s.points,
          // A sparse series (a shed that just came online) would be invisible without its points.
          showSymbol: s.points.length < 30,
          smooth: true,
        })),
      },
      true,
    );
    const last = series.map((s) => `${s.name} ${s.points.at(-1)?.[1]?.toFixed(1) ?? '–'}°C`).join(', ');
    this.containers.sheds.setAttribute('aria-label', `${t('chart.shedTemps')}: ${last}`);
  }

  watchlist(entries: WatchEntry[], label: (household: string) => string): void {
    const top = [...entries]
      .sort((a, b) => (b.hours ?? 0) - (a.hours ?? 0))
      .slice(0, 10)
      .reverse();
    this.charts.get('watchlist')?.setOption(
      {
        ...base,
        ...emptyNote(entries.length === 0),
        grid: { ...base.grid, left: 120 },
        tooltip: { trigger: 'item' },
        legend: { show: false },
        xAxis: { type: 'value', name: t('chart.hours'), nameTextStyle: { color: TEXT }, ...axis },
        yAxis: { type: 'category', data: top.map((e) => label(e.household)), ...axis },
        series: [{ type: 'bar', data: top.map((e) => e.hours ?? 0), itemStyle: { color: '#ef6f6c' } }],
      },
      true,
    );
    this.containers.watchlist.setAttribute(
      'aria-label',
      `${t('chart.watchlist')}: ${entries.length ? top.map((e) => `${label(e.household)} ${e.hours}h`).join(', ') : t('chart.empty')}`,
    );
  }
}
