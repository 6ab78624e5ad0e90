"""The workbook's one glossary: Korean and English terms, and the language of plot labels.

* :data:`CONCEPTS` — the sources' concepts: Korean term, English term, and the notebook and
  section that teach it (built from ``CONCEPTS.md`` and the Korean terms the notebooks'
  markdown gives). The render writes them as ``glossary.html`` beside the run index.
* :data:`LABELS` — the vocabulary of the plots (titles, axis labels, legends), English → Korean.
* :func:`set_language` — called once per notebook with its ``lang`` parameter (``en``, ``ko``);
  :func:`t` — the lookup the plot functions use: ``t("Customer lifetime value")`` gives
  ``고객생애가치`` when the language is ``ko`` and the text unchanged when it is ``en`` or the
  term is not in the glossary (no error: the label stays English).
* :func:`localized` — wraps a plot function so that, in Korean, the title, axis labels,
  legend entries and colour-bar labels of the figure it drew go through :func:`t`. Each
  module of :mod:`crm_analysis.plots` applies it to its public functions with
  :func:`localize_module`, so the plot code itself stays written in English.

Lookups ignore case and surrounding blanks. Written by hand: gettext catalogues would need a
build step and cannot carry the notebook/section columns the glossary page shows.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable

LANGUAGES = ("en", "ko")
_STATE = {"lang": "en"}


@dataclass(frozen=True)
class Term:
    """One concept of the sources: Korean term, English term, notebook and section."""

    ko: str
    en: str
    notebook: str  # notebook number, "01" … "13"
    section: str  # start of the heading of the section that teaches it


CONCEPTS: tuple[Term, ...] = (
    Term("고객관계관리", "Customer relationship management (CRM)", "01", "3. The customer view (CRM)"),
    Term("매스 마케팅", "Mass marketing", "01", "2. The product view (mass marketing)"),
    Term("고객점유율", "Share of wallet", "01", "3. The customer view (CRM)"),
    Term("시장점유율", "Market share", "01", "3. The customer view (CRM)"),
    Term("확보", "Acquisition", "01", "5. Life stages"),
    Term("개발", "Cultivation", "01", "5. Life stages"),
    Term("유지", "Retention", "01", "5. Life stages"),
    Term("융단 폭격식", "Carpet bombing", "01", "6. Carpet bombing vs missile"),
    Term("미사일식", "Missile", "01", "6. Carpet bombing vs missile"),
    Term("CRM에 적합한 산업", "Industries that suit CRM", "01", "7. Which industries suit CRM"),
    Term("고객 데이터 감사", "Customer data audit", "02", "2. Quality scorecard"),
    Term("Data의 부재", "Missing data", "02", "2. Quality scorecard"),
    Term("Data의 부정확성", "Inaccurate data", "02", "2. Quality scorecard"),
    Term("중복 고객", "Duplicate customers", "02", "3. Duplicate customers"),
    Term("누적 가입 고객", "Registered members", "02", "6. The member waterfall"),
    Term("현재 의미있는 실질 고객", "Meaningful current customers", "02", "6. The member waterfall"),
    Term("전사적인 CRM전략의 부재", "No enterprise-wide CRM strategy", "02", "7. Readiness self-assessment"),
    Term("고객생애가치", "Customer lifetime value", "03", "1. The sources' formula"),
    Term("평균 거래금액", "Average purchase value", "03", "2. LTV drivers"),
    Term("거래 빈도", "Purchase frequency", "03", "2. LTV drivers"),
    Term("거래 기간", "Relationship duration", "03", "2. LTV drivers"),
    Term("권유율", "Referral rate", "03", "2. LTV drivers"),
    Term("고객 확보 비용", "Acquisition cost", "03", "2. LTV drivers"),
    Term("고객 유지 비용", "Retention cost", "03", "2. LTV drivers"),
    Term("목표 고객 선정", "Target-customer selection", "04", "5. The target cube"),
    Term("구매력", "Purchasing power", "04", "5. The target cube"),
    Term("충성도", "Loyalty", "04", "5. The target cube"),
    Term("잠재적 반응률", "Response potential", "04", "5. The target cube"),
    Term("데이터베이스 마케팅", "Database marketing (DBM)", "04", "3. Response model (DBM view)"),
    Term("동적 고객관리", "Dynamic customer management", "05", "2. Status snapshots"),
    Term("재활성화", "Revitalisation", "05", "7. Revitalisation"),
    Term("오퍼 설계", "Offer design", "06", "4. The offers and the segment × offer matrix"),
    Term("금전적 Benefit", "Monetary benefits", "06", "4. The offers and the segment × offer matrix"),
    Term("비금전적 Benefit", "Non-monetary benefits", "06", "4. The offers and the segment × offer matrix"),
    Term("로열티 프로그램", "Loyalty program", "07", "2. The program's causal effect"),
    Term("설문 결과", "Survey figures", "07", "1. The survey figures"),
    Term("자기선택", "Self-selection", "07", "2.3 Propensity score"),
    Term("진정한 우량 고객", "Truly valuable customers", "07", "3. Deadweight and return on the program"),
    Term("위험도 세분화", "Risk segmentation", "08", "6. Risk segments"),
    Term("보험료 차별화", "Differentiated premiums", "08", "6. Risk segments"),
    Term("사고 빈도", "Claim frequency", "08", "2. Claim frequency"),
    Term("사고 심도", "Claim severity", "08", "3. Claim severity"),
    Term("순보험료", "Pure premium", "08", "4. Pure premium"),
    Term("역선택", "Adverse selection", "08", "7. A market"),
    Term("교차판매", "Cross-selling", "09", "4. Cross-selling and up-selling"),
    Term("추가판매", "Up-selling", "09", "4. Cross-selling and up-selling"),
    Term("재판매", "Re-selling", "09", "6. Re-selling"),
    Term("개인화", "Personalization", "09", "5. Item-to-item recommendation"),
    Term("인터넷 기반 CRM", "e-CRM", "10", "1. Data: an access log"),
    Term("웹 로그 분석", "Web log analysis", "10", "2. Parsing"),
    Term("웹 마이닝", "Web usage mining", "10", "6. Paths"),
    Term("이벤트 트리거", "Event trigger", "10", "9. Trigger rules"),
    Term("데이터 웨어하우스", "Data warehouse", "10", "7. Known customers"),
    Term("고객이탈", "Churn", "11", "2. Survival curves"),
    Term("신속한 대응", "Responsiveness", "11", "6. The 4R"),
    Term("책임", "Responsibility", "11", "6. The 4R"),
    Term("상호 호혜", "Reciprocity", "11", "6. The 4R"),
    Term("고객접촉 이력", "Contact history", "11", "6. The 4R"),
    Term("단순 검색", "Simple retrieval", "12", "Level 1"),
    Term("교차 분석", "Cross-analysis", "12", "Level 2"),
    Term("다차원적 자료", "Multidimensional data", "12", "Level 2"),
    Term("숨겨진 자료", "Hidden patterns", "12", "Level 3"),
    Term("데이터 마이닝", "Data mining", "12", "Level 3"),
    Term("고객 등급 피라미드", "Customer tier pyramid", "13", "Dell: the tier pyramid"),
    Term("고객 정보 통합", "Integrated customer information", "13", "Dell: the tier pyramid"),
    Term("교체 주기", "Replacement cycle", "13", "ChipShotGolf: the replacement cycle"),
    Term("대량 맞춤", "Mass customisation", "13", "ChipShotGolf: mass customisation"),
)

#: Plot vocabulary and headline labels, English → Korean.
LABELS: dict[str, str] = {
    # shared words
    "share": "비율", "actual": "실제", "model": "모형", "observed": "관측", "predicted": "예측",
    "customers": "고객 수", "period": "기간", "year": "연도", "days": "일수", "rate": "비율",
    "mean": "평균", "density": "밀도", "offer": "오퍼", "random": "무작위", "now": "현재",
    "lift": "향상도", "confidence": "신뢰도", "purchases": "구매 횟수", "sessions": "세션 수",
    "holdout": "검증 기간", "true value": "참값", "true effect": "참 효과", "true lift": "참 향상도",
    "true uplift": "참 업리프트", "estimate, 95 % CI": "추정치, 95% 신뢰구간",
    "estimate, 95% CI": "추정치, 95% 신뢰구간", "median, 95 % CI": "중앙값, 95% 신뢰구간",
    "members": "회원", "non-members": "비회원", "launch": "도입 시점", "ROI": "투자수익률(ROI)",
    # audit
    "share of checked rows passing": "검사 통과 행 비율",
    "Data quality scorecard (blank: rule does not apply)": "데이터 품질 점검표 (빈칸: 해당 규칙 없음)",
    "expected precision": "기대 정밀도", "expected recall": "기대 재현율",
    "measured precision": "측정 정밀도", "measured recall": "측정 재현율",
    "match-probability threshold (logit scale)": "일치 확률 임계값 (로짓 척도)",
    "Precision/recall trade-off of the duplicate links": "중복 연결의 정밀도/재현율 상충",
    "customer records": "고객 레코드 수", "true top of bar": "막대의 참값",
    "Member waterfall: from registered members to meaningful current customers":
        "회원 폭포도: 누적 가입 고객에서 현재 의미있는 실질 고객까지",
    "score (5 = no problem; hatched: derived from the data)": "점수 (5 = 문제 없음; 빗금: 데이터에서 도출)",
    "CRM readiness checklist": "CRM 준비도 점검표",
    # baskets
    "Item frequency": "품목 빈도", "Rules: support × confidence": "규칙: 지지도 × 신뢰도",
    "Top rules by lift": "향상도 상위 규칙", "Planted rules: estimated vs true lift": "심어 둔 규칙: 추정 향상도 대 참 향상도",
    "Offline evaluation": "오프라인 평가", "mean over customers": "고객 평균",
    "Days to the next purchase in the category": "같은 범주의 다음 구매까지 일수",
    "baskets holding the item": "품목이 담긴 장바구니 수",
    "support (share of baskets, log scale)": "지지도 (장바구니 비율, 로그 척도)",
    "consequent (offer this)": "결과 품목 (이것을 제안)", "antecedent (to buyers of this)": "조건 품목 (이것의 구매자에게)",
    "middle half (q25–q75)": "가운데 절반 (q25–q75)",
    "Synthetic baskets: item frequency": "합성 장바구니: 품목 빈도", "mean over test baskets": "검증 장바구니 평균",
    "Groceries: item frequency": "Groceries: 품목 빈도", "Groceries rules": "Groceries 규칙",
    # cases
    "The customer tier pyramid": "고객 등급 피라미드", "When to send the new-material offer": "신소재 오퍼를 보낼 시점",
    "offer timed after each purchase": "구매 후 시점에 맞춘 오퍼", "one mailing date for everyone": "모두에게 같은 발송일",
    "months after the club purchase": "클럽 구매 후 개월 수", "expected margin per customer": "고객당 기대 마진",
    "month after the club purchase (0 = first month)": "클럽 구매 후 개월 (0 = 첫 달)",
    "accessories per customer": "고객당 액세서리 구매", "Accessory purchases after a club": "클럽 구매 후 액세서리 구매",
    "Tier migration per year": "연간 등급 이동", "months since the club purchase": "클럽 구매 후 개월 수",
    "share not yet replaced": "아직 교체하지 않은 비율",
    "Replacement times: Weibull model vs Kaplan–Meier": "교체 시점: 와이블 모형 대 카플란–마이어",
    # churn
    "Retention by acquisition cohort": "확보 코호트별 유지율", "share of cohort active": "코호트 중 활동 고객 비율",
    "tenure (months)": "거래 기간 (개월)", "Kaplan–Meier survival": "카플란–마이어 생존곡선",
    "Hazard ratios (95 % CI)": "위험비 (95% 신뢰구간)", "Net value of the retention offer": "유지 오퍼의 순가치",
    "months since first purchase": "첫 구매 후 개월 수", "cohort (month of first purchase)": "코호트 (첫 구매 월)",
    "Cohort curves": "코호트 곡선", "share still a customer": "아직 고객인 비율",
    "hazard ratio (log scale)": "위험비 (로그 척도)", "binned mean β(t)": "구간 평균 β(t)", "constant β": "상수 β",
    "tenure at churn": "이탈 시 거래 기간", "Parametric model vs Kaplan–Meier": "모수 모형 대 카플란–마이어",
    "share of customers offered": "오퍼를 받은 고객 비율", "net value (currency)": "순가치 (통화)",
    "Estimated net value (hold-out arms)": "추정 순가치 (검증 집단)", "True net value": "참 순가치",
    # clv
    "repeat purchases in calibration": "보정 기간 재구매 횟수", "mean holdout purchases": "검증 기간 평균 구매 횟수",
    "Conditional expectation in the holdout": "검증 기간의 조건부 기댓값",
    "period since first acquisition": "첫 확보 후 기간", "repeat purchases": "재구매 횟수",
    "P(alive)": "P(활동)", "recency t_x": "최근성 t_x", "repeat purchases x": "재구매 횟수 x",
    "P(alive) by frequency and recency": "빈도와 최근성별 P(활동)", "mean spend per purchase": "구매당 평균 지출",
    "Spend vs frequency (independence check)": "지출 대 빈도 (독립성 점검)",
    "driver −": "동인 −", "driver +": "동인 +", "LTV": "고객생애가치(LTV)",
    "LTV sensitivity to its drivers": "동인별 고객생애가치 민감도", "sBG": "sBG", "constant retention": "일정 유지율",
    "customers still active": "아직 활동 중인 고객", "Survival: actual vs projections": "생존: 실제 대 예측",
    "CLV distribution": "고객생애가치 분포", "Cumulative repeat purchases": "누적 재구매",
    "Incremental repeat purchases": "기간별 재구매",
    # dynamics
    "Customers by state at each period end": "기말 상태별 고객", "Transition probabilities": "전이 확률",
    "Migration between two period ends": "두 기말 사이의 이동", "Predicted vs actual migration": "예측 대 실제 이동",
    "Value per recency state by contact policy": "접촉 정책별 최근성 상태의 가치",
    "Projected segment sizes": "세그먼트 규모 예측",
    "Revitalisation candidates: expected value before and now": "재활성화 후보: 이전과 현재의 기대가치",
    "share of customers": "고객 비율", "period end": "기말", "state at the next period end": "다음 기말의 상태",
    "state at this period end": "이번 기말의 상태", "predicted probability (earlier periods)": "예측 확률 (이전 기간)",
    "share in the test period": "검증 기간의 비율", "recency state (1 = bought this period)": "최근성 상태 (1 = 이번 기간 구매)",
    "value per customer (currency)": "고객당 가치 (통화)", "periods ahead": "앞으로의 기간", "a period ago": "한 기간 전",
    "expected value over the horizon (currency)": "기간 내 기대가치 (통화)",
    "Recency states": "최근성 상태", "Value segments": "가치 세그먼트",
    "Recency states: pooled transition probabilities": "최근성 상태: 통합 전이 확률",
    "Value segments: pooled transition probabilities": "가치 세그먼트: 통합 전이 확률",
    "Value per state by contact policy (parameters)": "접촉 정책별 상태 가치 (모수)",
    "CDNOW: recency transition probabilities": "CDNOW: 최근성 전이 확률",
    # insurance
    "Claim frequency rate ratios": "사고 빈도 비율비", "rate ratio vs the reference level (log scale)": "기준 수준 대비 비율비 (로그 척도)",
    "no ranking (Gini 0)": "순위 없음 (지니 0)",
    "cumulative share of exposure (lowest predicted risk first)": "누적 노출 비율 (예측 위험 낮은 순)",
    "cumulative share of losses": "누적 손해 비율", "Ordered Lorenz curves": "순서 로렌츠 곡선",
    "decile of predicted risk (1 = lowest)": "예측 위험 십분위 (1 = 최저)",
    "Lift chart: actual vs predicted loss cost": "향상도 차트: 실제 대 예측 손해액",
    "flat premium": "단일 보험료", "risk-based premium": "위험 기반 보험료",
    "risk segment (1 = lowest predicted risk)": "위험 세그먼트 (1 = 예측 위험 최저)",
    "loss ratio (claims ÷ premiums)": "손해율 (보험금 ÷ 보험료)", "Loss ratio by risk segment": "위험 세그먼트별 손해율",
    "break-even target": "손익분기 목표",
    # loyalty
    "share of respondents (95% Wilson interval)": "응답자 비율 (95% 윌슨 구간)",
    "propensity score (estimated probability of joining)": "성향 점수 (가입 확률 추정치)",
    "|standardized mean difference|": "|표준화 평균 차이|", "months from launch": "도입 후 개월 수",
    "mean spend per customer per month": "고객당 월평균 지출",
    "effect on spend per member per month (95% CI)": "회원당 월 지출 효과 (95% 신뢰구간)",
    "95% interval from the effect": "효과에서 나온 95% 구간",
    "reward rate (share of member spend paid back)": "보상률 (회원 지출 중 환급 비율)",
    "ROI (gain − cost) / cost": "투자수익률 (이득 − 비용) / 비용", "break-even rate": "손익분기 비율",
    "Switched most-used store in the last year": "지난 1년간 주 이용 매장을 바꾼 비율",
    # marketing
    "revenue (currency)": "매출 (통화)", "Product view: revenue by product": "제품 관점: 제품별 매출",
    "share of wallet (our spend ÷ category spend)": "고객점유율 (당사 지출 ÷ 범주 지출)",
    "Customer view: share of wallet": "고객 관점: 고객점유율", "equal revenue per customer": "고객당 매출 균등",
    "share of customers (smallest first)": "고객 비율 (작은 순)", "share of revenue": "매출 비율",
    "Revenue concentration (Lorenz curve)": "매출 집중도 (로렌츠 곡선)", "periods since acquisition": "확보 후 기간",
    "acquisition cohort": "확보 코호트", "expected profit (currency)": "기대 이익 (통화)",
    "Carpet bombing vs missile": "융단 폭격식 대 미사일식",
    "Which industries suit CRM (1 low – 5 high)": "CRM에 적합한 산업 (1 낮음 – 5 높음)",
    # mining
    "Tree leaves": "트리의 잎", "largest cell deviation from the overall rate (percentage points)": "전체 비율과의 최대 셀 편차 (%p)",
    "response rate (%)": "반응률 (%)", "response rate": "반응률", "number of clusters k": "군집 수 k",
    "mean silhouette": "평균 실루엣", "Choosing k": "k 선택", "Customer clusters": "고객 군집",
    "Within every stratum vs all together": "층별 대 전체",
    "Revenue by region and category (thousands)": "지역·범주별 매출 (천 단위)",
    "Exhaustive tree: response rate per rule (95 % CI)": "전수 트리: 규칙별 반응률 (95% 신뢰구간)",
    "Revenue (thousands) by country and customer spend tier (3 = top third)": "국가·고객 지출 등급별 매출 (천 단위, 3 = 상위 1/3)",
    # offers
    "Segment × offer": "세그먼트 × 오퍼", "Assigned offer by segment": "세그먼트별 배정 오퍼",
    "Offer strategies": "오퍼 전략", "Response multiplier: segment × offer": "반응 배수: 세그먼트 × 오퍼",
    "Mean expected incremental profit per customer (currency)": "고객당 평균 기대 증분 이익 (통화)",
    # targeting
    "estimated uplift": "추정 업리프트", "share of customers contacted": "접촉한 고객 비율",
    "share of responders reached": "도달한 반응자 비율", "Cumulative gains": "누적 이득",
    "score group (1 = highest scores)": "점수 그룹 (1 = 최고 점수)", "Lift by decile": "십분위별 향상도",
    "perfect calibration": "완벽한 보정", "mean predicted probability": "평균 예측 확률",
    "observed response rate": "관측 반응률", "Calibration": "보정", "contact everyone": "전원 접촉",
    "share of customers contacted (by score)": "접촉한 고객 비율 (점수순)", "Profit curve": "이익 곡선",
    "share of customers targeted (by predicted uplift)": "표적 고객 비율 (예측 업리프트순)",
    "incremental responders": "증분 반응자", "Target cube: priority, power / loyalty / response (H/L)":
        "목표 고객 큐브: 우선순위, 구매력 / 충성도 / 반응률 (H/L)",
    "Estimate against truth": "추정치 대 참값", "Customers per RFM segment": "RFM 세그먼트별 고객 수",
    "gradient boosting": "그래디언트 부스팅", "logistic regression": "로지스틱 회귀",
    "profit per 1,000 customers": "고객 1,000명당 이익", "estimated uplift (two-model)": "추정 업리프트 (2모형)",
    "ranked by response score": "반응 점수순", "ranked by predicted uplift": "예측 업리프트순",
    "True incremental profit": "참 증분 이익", "logistic regression, Caravan": "로지스틱 회귀, Caravan",
    # weblog
    "sessions found": "찾은 세션 수", "inactivity timeout (minutes)": "비활동 시간 제한 (분)",
    "Effect of the session timeout": "세션 시간 제한의 영향", "sessions reaching the step": "단계에 도달한 세션 수",
    "Funnel: sessions and conversion from the previous step": "퍼널: 세션과 이전 단계 대비 전환",
    "next page": "다음 페이지", "current page": "현재 페이지",
    "Next-page probabilities (Markov chain)": "다음 페이지 확률 (마르코프 연쇄)",
    "Navigation paths: sessions from page to page ((exit) = session ends)": "이동 경로: 페이지 간 세션 ((exit) = 세션 종료)",
    "seconds until the next page": "다음 페이지까지 초", "Time on page": "페이지 체류 시간",
    "page views in the session": "세션 내 페이지 뷰", "Session depth": "세션 깊이", "web sessions": "웹 세션 수",
    "orders (transactions)": "주문 (거래)", "Web behaviour beside purchases": "구매와 나란히 본 웹 행동",
    "Behaviour segments: feature means (colour: sd from average)": "행동 세그먼트: 특성 평균 (색: 평균 대비 표준편차)",
    "true sessions recovered exactly": "정확히 복원된 참 세션", "share recovered exactly": "정확히 복원된 비율",
    "Sessions by bot rule": "봇 규칙별 세션",
    # index headlines (the ``label`` of the key results each notebook names first)
    "Recommended campaign": "추천 캠페인", "Profit of mass mailing": "전체 발송 이익",
    "Profit of targeted mailing": "표적 발송 이익", "ROI of mass mailing": "전체 발송 ROI",
    "ROI of targeted mailing": "표적 발송 ROI",
    "Revenue share of the top 20 % of customers": "상위 20% 고객의 매출 비율",
    "Meaningful customers": "현재 의미있는 실질 고객", "Meaningful share of registered records": "가입 레코드 중 실질 고객 비율",
    "Data quality score": "데이터 품질 점수", "Quality rule to fix first": "먼저 고칠 품질 규칙",
    "Duplicate detection F1": "중복 탐지 F1", "CRM readiness score": "CRM 준비도 점수",
    "Total customer lifetime value": "총 고객생애가치", "Holdout prediction error": "검증 기간 예측 오차",
    "Holdout total within 10 %": "검증 기간 합계 10% 이내", "Gamma-Gamma spend model": "감마-감마 지출 모형",
    "sBG retention, Regular segment": "sBG 유지율, Regular 세그먼트",
    "Recommended contact list": "추천 접촉 명단", "Share of customers to contact": "접촉할 고객 비율",
    "True profit, ranked by uplift": "참 이익, 업리프트순", "True profit, ranked by response": "참 이익, 반응순",
    "True profit, contacting everyone": "참 이익, 전원 접촉", "Best response model": "최선의 반응 모형",
    "Optimal contact depth": "최적 접촉 깊이",
    "Repurchase probability by recency state": "최근성 상태별 재구매 확률",
    "Optimal contact by state": "상태별 최적 접촉", "Customer value under the optimal policy": "최적 정책의 고객 가치",
    "Stationarity test p-value": "정상성 검정 p값",
    "Recommended offers": "추천 오퍼", "Profit of the assigned offers": "배정 오퍼의 이익",
    "Profit of the single best offer": "단일 최선 오퍼의 이익", "Single best offer": "단일 최선 오퍼",
    "Customers with an offer": "오퍼를 받는 고객", "Budget used": "사용 예산",
    "Loyalty program ROI": "로열티 프로그램 ROI", "Break-even reward rate": "손익분기 보상률",
    "Program effect (truth)": "프로그램 효과 (참값)",
    "Best risk-ranking model": "최선의 위험 순위 모형", "Gini of the GLM": "GLM의 지니",
    "Gini of the boosted model": "부스팅 모형의 지니", "Margin with risk-based pricing": "위험 기반 가격의 마진",
    "Margin with flat pricing": "단일 가격의 마진", "Final market share": "최종 시장점유율",
    "Recommender to use": "사용할 추천 방식", "Hit rate at 10 (item-item)": "상위 10 적중률 (품목-품목)",
    "Hit rate at 10 (popularity)": "상위 10 적중률 (인기순)", "Significant rules": "유의한 규칙",
    "Cross-sell plan": "교차판매 계획",
    "Funnel step to fix first": "먼저 고칠 퍼널 단계", "Funnel conversion": "퍼널 전환율",
    "Cart abandonment rate": "장바구니 이탈률", "Extra checkouts from the fix": "개선으로 늘어나는 결제",
    "Bot share of sessions": "세션 중 봇 비율", "Trigger rules to switch on": "켤 트리거 규칙",
    "Recommended targeting policy": "추천 표적 정책", "Retention campaign ROI": "유지 캠페인 ROI",
    "Break-even offer cost": "손익분기 오퍼 비용", "Median tenure by contract": "계약 유형별 중앙 거래 기간",
    "Survival at 12 months": "12개월 생존율",
    "Recommended selection": "추천 선정 방식", "Planted rule found (exhaustive tree)": "심어 둔 규칙 발견 (전수 트리)",
    "Planted rule found (greedy tree)": "심어 둔 규칙 발견 (탐욕 트리)", "Simpson's paradox present": "심슨의 역설 여부",
    "Cluster agreement with true types": "군집과 참 유형의 일치도",
    "Tier upgrades worth paying for": "비용을 들일 만한 등급 상향", "Tier upgrades that lose money": "손해 보는 등급 상향",
    "Best month for the replacement offer": "교체 오퍼의 최적 월", "Timed vs fixed offer profit": "시점 맞춤 대 고정 오퍼 이익",
    "Median replacement cycle": "중앙 교체 주기",
    "Bgnbd": "BG/NBD 모형", "Did estimate": "이중차분 추정치", "Naive estimate": "단순 비교 추정치",
}


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


_TABLE: dict[str, str] = {}


def _build() -> None:
    for term in CONCEPTS:
        _TABLE.setdefault(_key(term.en), term.ko)
    for en, ko in LABELS.items():
        _TABLE[_key(en)] = ko


_build()


def set_language(lang: str) -> None:
    """Set the language of plot labels for this process (``en`` or ``ko``). Returns nothing,
    so the call can end a notebook cell without printing anything.

    In a notebook (IPython) with ``ko``, labels that the notebook's own code sets on a figure
    (``ax.set_title("Profit curve")``) are translated too: a hook runs before the inline
    backend draws the cell's figures (:func:`_install_figure_hook`)."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang {lang!r} is not one of {', '.join(LANGUAGES)}; use lang='en' or 'ko'")
    _STATE["lang"] = lang
    if lang != "en":
        _install_figure_hook()


def _localize_open_figures() -> None:
    if _STATE["lang"] == "en":
        return
    import sys

    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return
    for number in plt.get_fignums():
        localize_figure(plt.figure(number))


def _install_figure_hook() -> None:
    """Run :func:`_localize_open_figures` after each cell of the running IPython kernel,
    *before* the inline backend's own ``post_execute`` hook shows the figures."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    callbacks = getattr(getattr(shell, "events", None), "callbacks", None)
    if not isinstance(callbacks, dict) or "post_execute" not in callbacks:
        return
    hooks = callbacks["post_execute"]
    if _localize_open_figures not in hooks:
        hooks.insert(0, _localize_open_figures)


def get_language() -> str:
    return _STATE["lang"]


def translate(text: Any, lang: str) -> Any:
    """``text`` in ``lang``: the Korean glossary entry when ``lang`` is ``ko`` and there is
    one, else ``text`` unchanged (also for anything that is not a string)."""
    if lang != "ko" or not isinstance(text, str) or not text.strip():
        return text
    return _TABLE.get(_key(text), text)


def t(text: Any) -> Any:
    """``text`` in the language set by :func:`set_language` (English fallback, never an error)."""
    return translate(text, _STATE["lang"])


def localize_figure(fig: Any) -> None:
    """Translate, in place, the titles, axis labels and legend texts of every Axes of ``fig``
    (colour bars are Axes too) and the figure's suptitle."""
    def swap(text_artist: Any) -> None:
        old = text_artist.get_text()
        new = t(old)
        if new != old:
            text_artist.set_text(new)

    if getattr(fig, "_suptitle", None) is not None:
        swap(fig._suptitle)
    for ax in fig.axes:
        for item in (ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label):
            swap(item)
        legend = ax.get_legend()
        if legend is not None:
            for item in legend.get_texts():
                swap(item)
            swap(legend.get_title())
    for legend in getattr(fig, "legends", []):
        for item in legend.get_texts():
            swap(item)


def _figure_of(out: Any) -> Any:
    """The matplotlib Figure behind what a plot function returned (Axes, Figure, or a
    sequence/array holding one), or None."""
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    if isinstance(out, Axes):
        return out.figure
    if isinstance(out, Figure):
        return out
    if isinstance(out, (tuple, list)) or hasattr(out, "flat"):
        for item in getattr(out, "flat", out):
            found = _figure_of(item)
            if found is not None:
                return found
    return None


def localized(fn: Callable) -> Callable:
    """Wrap a plot function: in Korean, translate the labels of the figure it returns."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        out = fn(*args, **kwargs)
        if _STATE["lang"] != "en":
            fig = _figure_of(out)
            if fig is not None:
                localize_figure(fig)
        return out

    wrapper.__localized__ = True
    return wrapper


def localize_module(namespace: dict[str, Any]) -> None:
    """Apply :func:`localized` to the public functions defined in a plots module
    (called at the end of each ``crm_analysis/plots/<topic>.py`` with ``globals()``)."""
    module = namespace.get("__name__")
    for name, obj in list(namespace.items()):
        if (callable(obj) and not name.startswith("_") and getattr(obj, "__module__", None) == module
                and not isinstance(obj, type) and not getattr(obj, "__localized__", False)):
            namespace[name] = localized(obj)
