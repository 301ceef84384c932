// Bundle entry: install on the current window.
import { install } from './index.js';

install(window);
