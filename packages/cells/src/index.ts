/** @cellgrad/cells */
export {};
