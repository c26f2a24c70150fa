/**
 * The webview's component layer. Views build UI only through these functions, so the deprecated
 * @vscode/webview-ui-toolkit can be swapped for @vscode-elements/elements in this one file.
 */
import {
  provideVSCodeDesignSystem,
  vsCodeBadge,
  vsCodeButton,
  vsCodeDivider,
  vsCodeProgressRing,
  vsCodeTag,
} from '@vscode/webview-ui-toolkit';

provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeBadge(), vsCodeDivider(), vsCodeProgressRing(), vsCodeTag());

export function button(label: string, onClick: () => void, appearance: 'primary' | 'secondary' = 'secondary'): HTMLElement {
  const el = document.createElement('vscode-button');
  el.setAttribute('appearance', appearance);
  el.textContent = label;
  el.addEventListener('click', onClick);
  return el;
}

export function tag(text: string, testId?: string): HTMLElement {
  const el = document.createElement('vscode-tag');
  el.textContent = text;
  if (testId) el.dataset.testid = testId;
  return el;
}

export function progressRing(): HTMLElement {
  return document.createElement('vscode-progress-ring');
}

export function divider(): HTMLElement {
  return document.createElement('vscode-divider');
}
