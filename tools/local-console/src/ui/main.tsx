import { render } from 'preact';
import { App } from './app';
import { STYLES } from './styles';

const style = document.createElement('style');
style.textContent = STYLES;
document.head.append(style);
const root = document.getElementById('app');
if (root) render(<App />, root);
