// ECharts imported modularly: only the chart types and components the dashboard draws end up in the
// bundle. Views import this module dynamically, so the charts chunk loads after the first render.
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { ViewContext } from './router';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

export const PALETTE = ['#2563eb', '#16a34a', '#f59e0b', '#dc2626', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#ea580c', '#475569'];

const BASE: ChartOption = {
  color: PALETTE,
  animationDuration: 300,
  textStyle: { fontFamily: 'inherit' },
  grid: { left: 56, right: 24, top: 40, bottom: 40, containLabel: true },
  tooltip: { trigger: 'axis', confine: true },
};

// A chart bound to `element` and disposed (with its resize listener) when the view is left.
export class Chart {
  private readonly chart: echarts.ECharts;

  constructor(element: HTMLElement, ctx: ViewContext) {
    this.chart = echarts.init(element, undefined, { renderer: 'canvas' });
    const onResize = () => this.chart.resize();
    window.addEventListener('resize', onResize);
    ctx.onDispose(() => {
      window.removeEventListener('resize', onResize);
      this.chart.dispose();
    });
  }

  resize(): void {
    this.chart.resize();
  }

  set(option: ChartOption): void {
    this.chart.setOption({ ...BASE, ...option }, { notMerge: true });
  }
}
