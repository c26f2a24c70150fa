/**
 * Where panels and what they open go, so the editor's groups stay put: a model panel opens in an
 * existing group other than the active one (else beside it), and is revealed where it is; what a
 * panel opens (a training example, the sidecar) goes to another existing group, else beside it.
 * Nothing here ever makes a third column.
 */
import * as vscode from 'vscode';

/** The groups' columns, left to right. */
function columns(): vscode.ViewColumn[] {
  return vscode.window.tabGroups.all.map((g) => g.viewColumn).sort((a, b) => a - b);
}

/**
 * The column of a new model panel: the group that already holds one (`isPanelTab`), else an empty
 * group, else the rightmost group that is not the active one, else beside the active editor (a
 * second column).
 */
export function newPanelColumn(isPanelTab: (tab: vscode.Tab) => boolean): vscode.ViewColumn {
  const groups = vscode.window.tabGroups.all;
  const withPanel = groups.find((g) => g.tabs.some(isPanelTab));
  if (withPanel) return withPanel.viewColumn;
  // An empty group (nothing open yet) takes it: beside it would leave the empty one showing.
  const empty = groups.find((g) => g.tabs.length === 0);
  if (empty) return empty.viewColumn;
  const others = columns().filter((c) => c !== vscode.window.tabGroups.activeTabGroup.viewColumn);
  return others.length ? others[others.length - 1] : vscode.ViewColumn.Beside;
}

/** The column for something a panel in `panelColumn` opens: another existing group (the nearest), else beside the panel. */
export function besidePanel(panelColumn: vscode.ViewColumn | undefined): vscode.ViewColumn {
  const others = columns().filter((c) => c !== panelColumn);
  if (!others.length || panelColumn === undefined) return vscode.ViewColumn.Beside;
  return others.reduce((best, c) => (Math.abs(c - panelColumn) < Math.abs(best - panelColumn) ? c : best));
}
