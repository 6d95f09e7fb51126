/** @cellgrad/cli */
export {};
