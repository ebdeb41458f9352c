// The store's country and currency (Settings): the currency new links start in and the
// phone example the forms show. The rules behind them are the engine's; this keeps what
// it said for the forms.

export const shop = $state<{ country: string; currency: string; phoneExample: string }>({
  country: 'KR', currency: 'KRW', phoneExample: '010-1234-5678',
});

export function setShop(settings: Record<string, string>): void {
  shop.country = settings.country ?? shop.country;
  shop.currency = settings.currency ?? shop.currency;
  shop.phoneExample = settings.phone_example ?? shop.phoneExample;
}
