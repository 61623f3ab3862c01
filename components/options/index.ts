export { OptionsPage, type OptionsPageProps, type OptionsStore } from './options-page';
