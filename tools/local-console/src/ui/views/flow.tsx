import { Graph, layout } from '@dagrejs/dagre';
import type { EdgeLabel, Point } from '@dagrejs/dagre';
import { useMemo } from 'preact/hooks';
import type { FlowEdge, FlowNode } from '../../model';
import { formatAge, useData } from '../api';

const NODE_W = 210;
const NODE_H = 46;
const COLORS: Readonly<Record<FlowNode['kind'], string>> = {
  api: '#dbe7ff',
  function: '#fff1d6',
  table: '#e2f3e6',
  bus: '#efe1fb',
  rule: '#f5e9fb',
  queue: '#dff3f5',
  dlq: '#fadcdc',
  mailbox: '#e8eaf0',
};

/** Flow: the topology of the synthesized templates, laid out by dagre, with counts and oldest ages on the edges. */
export function FlowView({ tick }: { tick: number }) {
  const flow = useData<{ nodes: FlowNode[]; edges: FlowEdge[] }>('/api/flow', tick, 1000);
  const nodeKey = flow.data?.nodes.map((n) => n.id).join(',') ?? '';
  const edgeKey = flow.data?.edges.map((e) => `${e.from}>${e.to}`).join(',') ?? '';
  // the layout depends on the shape only: counts change every tick, positions do not
  const laid = useMemo(
    () => (flow.data ? layoutFlow(flow.data.nodes, flow.data.edges) : undefined),
    [nodeKey, edgeKey],
  );
  if (flow.error && !flow.data) return <p class="error">{flow.error}</p>;
  if (!flow.data || !laid) return <p class="muted">loading…</p>;
  const size = laid.graph();
  return (
    <section class="panel" data-testid="flow">
      <svg
        viewBox={`0 0 ${(size.width ?? 800) + 20} ${(size.height ?? 400) + 20}`}
        style={`width:100%;max-width:${(size.width ?? 800) + 20}px`}
        role="img"
        aria-label="flow of events"
      >
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto"
          >
            <path d="M0,0 L10,5 L0,10 z" fill="#7a849a" />
          </marker>
        </defs>
        {flow.data.edges.map((e) => (
          <FlowEdgePath key={`${e.from}>${e.to}`} edge={e} laid={laid} />
        ))}
        {flow.data.nodes.map((n) => (
          <FlowNodeBox key={n.id} node={n} laid={laid} />
        ))}
      </svg>
    </section>
  );
}

/** Lays the flow out top to bottom: its eight or so steps fit a screen's height better than its width. */
function layoutFlow(nodes: readonly FlowNode[], edges: readonly FlowEdge[]): Graph {
  const g = new Graph({ multigraph: false });
  g.setGraph({ rankdir: 'TB', nodesep: 30, ranksep: 56, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: NODE_W, height: NODE_H });
  for (const e of edges) g.setEdge(e.from, e.to, { width: 120, height: 18, labelpos: 'c' });
  layout(g);
  return g;
}

/** One edge: its path as laid out, thicker once something went along it, and its label with count and oldest age. */
function FlowEdgePath({ edge: e, laid }: { edge: FlowEdge; laid: Graph }) {
  const edge = laid.edge(e.from, e.to) as (EdgeLabel & Partial<Point>) | undefined;
  if (!edge?.points) return null;
  const d = edge.points.map((p: Point, i: number) => `${i === 0 ? 'M' : 'L'}${p.x},${p.y}`).join(' ');
  const label = `${e.label}${e.count !== undefined ? ` ${e.count}` : ''}${e.oldestAgeMs !== undefined ? ` · oldest ${formatAge(e.oldestAgeMs)}` : ''}`;
  return (
    <g data-testid="flow-edge" data-from={e.from} data-to={e.to} data-count={e.count ?? ''}>
      <path
        d={d}
        fill="none"
        stroke="#7a849a"
        stroke-width={(e.count ?? 0) > 0 ? 2 : 1}
        marker-end="url(#arrow)"
      />
      <text
        x={edge.x ?? 0}
        y={(edge.y ?? 0) + 4}
        text-anchor="middle"
        fill="#33405a"
        style="paint-order:stroke;stroke:#fff;stroke-width:3px"
      >
        {label}
      </text>
    </g>
  );
}

/** One node: a box in its kind's colour with its name, kind, stack and (queues) depth. */
function FlowNodeBox({ node: n, laid }: { node: FlowNode; laid: Graph }) {
  const node = laid.node(n.id);
  if (!node) return null;
  const x = (node.x ?? 0) - NODE_W / 2;
  const y = (node.y ?? 0) - NODE_H / 2;
  return (
    <g data-testid="flow-node" data-kind={n.kind}>
      <rect x={x} y={y} width={NODE_W} height={NODE_H} rx={6} fill={COLORS[n.kind]} stroke="#9aa3b5" />
      <text x={x + 8} y={y + 18} font-weight="600">
        {n.label.length > 28 ? `${n.label.slice(0, 27)}…` : n.label}
      </text>
      <text x={x + 8} y={y + 36} fill="#5b6478">
        {n.kind} · {n.stack}
        {n.depth !== undefined ? ` · ${n.depth} msg` : ''}
      </text>
    </g>
  );
}
