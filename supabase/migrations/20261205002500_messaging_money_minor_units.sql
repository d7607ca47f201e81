-- Amounts in system messages written with their currency's decimals: a yen amount has none
-- and a dinar three, as the browser writes them (Intl's currency data, which the offer forms
-- use to read amounts into minor units). Replaces messaging_offers' format_money, which wrote
-- two decimals for every currency. Messages already written keep their text.

-- How many decimals a currency's amounts have (minor units per major unit as a power of ten);
-- 2 for any code not listed, as for most currencies.
create function private.minor_units(currency text) returns integer
language sql
immutable
set search_path = ''
as $$
  select case
    when upper(currency) in ('AFN', 'ALL', 'BIF', 'CLP', 'COP', 'DJF', 'GNF', 'HUF', 'IDR', 'IQD', 'IRR', 'ISK', 'JPY', 'KMF',
                             'KPW', 'KRW', 'LAK', 'LBP', 'MGA', 'MMK', 'PKR', 'PYG', 'RWF', 'SLL', 'SOS', 'SYP', 'UGX', 'VND',
                             'VUV', 'XAF', 'XOF', 'XPF', 'YER') then 0
    when upper(currency) in ('BHD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND') then 3
    else 2
  end
$$;
revoke all on function private.minor_units(text) from public, anon, authenticated;

-- An amount in minor units as sentences show it: €, $ or £ before it for EUR, USD and GBP,
-- the code otherwise, thousands separated, with the currency's own decimals.
create or replace function private.format_money(amount_cents bigint, currency text) returns text
language sql
immutable
set search_path = ''
as $$
  select case upper(currency) when 'EUR' then '€' when 'USD' then '$' when 'GBP' then '£' else upper(currency) || ' ' end
         || case private.minor_units(currency)
              when 0 then to_char(amount_cents, 'FM999,999,999,999,990')
              when 3 then to_char(amount_cents / 1000.0, 'FM999,999,999,999,990.000')
              else to_char(amount_cents / 100.0, 'FM999,999,999,999,990.00')
            end
$$;
