/** @cellgrad/viz */
export {};
