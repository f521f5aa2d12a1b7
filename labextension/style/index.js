import './base.css';
import './controls.css';
import './header.css';
import './filters.css';
import './table.css';
