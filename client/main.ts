/** The dashboard's entry point: defines every element and starts the model. */
import './elements/sw-app.js';
